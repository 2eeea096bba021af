// A parsing worker process of the API: loads its TypeScript through tsx, as `orzo` does.
import { register } from 'tsx/esm/api';

register();
await import('../src/api/ingest/measures-parse-worker.ts');
