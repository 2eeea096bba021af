/**
 * Every request is an op of the process's tracker (kind `request`, description
 * `<METHOD> <path>`, the query string left out), reachable by routes and services as `request.op`
 * to mark their own steps. Its events, in order:
 *
 * - `initiated`: the first onRequest hook, before any refusal, so refused requests are ops too;
 * - `received`: the whole request, body included, is in hand (preValidation);
 * - `validated`: credentials, policy and schemas passed (preHandler);
 * - route steps, e.g. `stored` (posted measures accepted by the incoming store), `read`;
 * - `replied`: the answer is being sent (onSend);
 * - `done`: the answer was sent (onResponse), or the connection closed before it could be, when
 *   `aborted` comes first, so that no op stays in flight after its client is gone.
 *
 * With tracking off, `request.op` is the tracker's shared no-op op and nothing is allocated.
 */
import type { Socket } from 'node:net';

import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import { NOOP_OP, type OpTracker, type TrackedOp } from '../../optracker/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request as an op; set by the first onRequest hook, before any other hook runs. */
    op: TrackedOp;
  }
}

/** The kind of the ops that requests are. */
export const REQUEST_OP_KIND = 'request';

const trackRequests: FastifyPluginCallback<{ tracker: OpTracker }> = (app, { tracker }, done) => {
  // NOTE: fastify 5 refuses object defaults for request decorators; the hook below sets it first.
  app.decorateRequest<null>('op', null);
  app.addHook('onRequest', (request, _reply, next) => {
    request.op = tracker.enabled ? beginRequestOp(tracker, request) : NOOP_OP;
    next();
  });
  app.addHook('preValidation', (request, _reply, next) => {
    request.op.mark('received');
    next();
  });
  app.addHook('preHandler', (request, _reply, next) => {
    request.op.mark('validated');
    next();
  });
  app.addHook('onSend', (request, _reply, payload, next) => {
    request.op.mark('replied');
    next(null, payload);
  });
  app.addHook('onResponse', (request, _reply, next) => {
    const { op } = request;
    op.finish();
    if (op !== NOOP_OP) openOpsOf(request)?.delete(op);
    next();
  });
  done();
};

function beginRequestOp(tracker: OpTracker, request: FastifyRequest): TrackedOp {
  const { url } = request;
  const query = url.indexOf('?');
  const op = tracker.begin(
    REQUEST_OP_KIND,
    `${request.method} ${query === -1 ? url : url.slice(0, query)}`,
  );
  // NOTE: beyond ops.maxInFlight the op is the shared no-op one, which nothing needs to end.
  if (op !== NOOP_OP) openOpsOf(request)?.add(op);
  return op;
}

const OPEN_OPS = Symbol('orzo.openOps');

/** A connection, with the ops of its requests that have not ended. */
interface WatchedSocket extends Socket {
  [OPEN_OPS]?: Set<TrackedOp>;
}

/**
 * The ops of a request's connection that have not ended, watched from the connection's first
 * tracked request on. onResponse runs only once an answer is written; a client that disconnects
 * first, or a server timeout, ends the connection without it — and a response waiting behind
 * another on a connection with pipelined requests is not even attached to the socket, so the
 * socket's `close` is what ends them all, marked `aborted`. One set per connection, held by the
 * socket itself: nothing is allocated per request but the set's entry.
 */
function openOpsOf(request: FastifyRequest): Set<TrackedOp> | undefined {
  const socket = request.raw.socket as Partial<WatchedSocket> | null;
  if (typeof socket?.once !== 'function') return undefined;
  let ops = socket[OPEN_OPS];
  if (ops === undefined) {
    const open = new Set<TrackedOp>();
    ops = open;
    socket[OPEN_OPS] = open;
    socket.once('close', () => {
      for (const op of open) {
        op.mark('aborted');
        op.finish();
      }
      open.clear();
    });
  }
  return ops;
}

/** Tracks every request as an op of `tracker` and decorates requests with `op`. */
export const opsPlugin = fp(trackRequests, { name: 'orzo-ops', fastify: '5.x' });
