/**
 * `orzo api`: the HTTP API alone, listening until SIGTERM or SIGINT, then closing cleanly.
 */
import { buildApp } from '../api/index.ts';
import type { EngineConfig } from '../config.ts';
import { createIndexer } from '../indexer/index.ts';
import { onShutdownSignal } from './shutdown.ts';

/** Starts the API and resolves once it has been shut down. */
export async function runApi(config: EngineConfig): Promise<void> {
  const indexer = createIndexer(config.indexerUrl);
  const app = buildApp({ indexer, config, logger: true });
  const closed = new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await app.close();
      await indexer.close();
      resolve();
    });
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  await closed;
}
