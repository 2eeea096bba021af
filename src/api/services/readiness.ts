/**
 * Readiness: whether this API process can serve requests now, by one cheap call to each backend
 * (the indexer, the incoming store, the storage), each bounded in time. `/healthcheck` stays the
 * liveness answer (the process is up), as in Gnocchi.
 */
import type { Indexer } from '../../indexer/index.ts';
import type { IncomingDriver } from '../../ingest/index.ts';
import type { Storage } from '../../storage/index.ts';

/** The backends a readiness check calls. */
export interface ReadinessContext {
  readonly indexer: Pick<Indexer, 'getArchivePolicy'>;
  readonly incoming: { readonly driver: Pick<IncomingDriver, 'getSackCount'> };
  readonly storage: Pick<Storage, 'probe'>;
}

/** Each backend's state: `ok`, or what went wrong. */
export interface Readiness {
  readonly ready: boolean;
  readonly backends: {
    readonly indexer: string;
    readonly incoming: string;
    readonly storage: string;
  };
}

/** Calls every backend at once; a call not answered within `timeoutMs` counts as failed. */
export async function checkReadiness(
  context: ReadinessContext,
  timeoutMs: number,
): Promise<Readiness> {
  const [indexer, incoming, storage] = await Promise.all([
    probe(() => context.indexer.getArchivePolicy(''), timeoutMs),
    probe(() => context.incoming.driver.getSackCount(), timeoutMs),
    probe(() => context.storage.probe(), timeoutMs),
  ]);
  const backends = { indexer, incoming, storage };
  return { ready: Object.values(backends).every((state) => state === 'ok'), backends };
}

async function probe(call: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => {
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      call().then(
        () => 'ok',
        (error: unknown) => `failing: ${error instanceof Error ? error.message : String(error)}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
