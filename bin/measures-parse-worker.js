// A parsing worker process of the API.
import { start } from './start.js';

await start('measures-parse-worker', 'src/api/ingest/measures-parse-worker.ts');
