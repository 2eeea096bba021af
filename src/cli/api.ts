/**
 * `orzo api`: the HTTP API alone, listening until SIGTERM or SIGINT, then closing cleanly.
 */
import { buildApp } from '../api/index.ts';
import type { EngineConfig } from '../config.ts';
import { createIndexer } from '../indexer/index.ts';
import { Incoming, createIncomingDriver } from '../ingest/index.ts';
import { onShutdownSignal } from './shutdown.ts';

/** Starts the API and resolves once it has been shut down. */
export async function runApi(config: EngineConfig): Promise<void> {
  const indexer = createIndexer(config.indexerUrl);
  const incoming = new Incoming(
    createIncomingDriver(config.incomingUrl, { fsync: config.incomingFsync }),
  );
  const app = buildApp({ indexer, incoming, config, logger: true });
  const closed = new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await app.close();
      await incoming.driver.close();
      await indexer.close();
      resolve();
    });
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  await closed;
}
