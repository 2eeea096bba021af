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

import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
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
  app.addHook('onRequest', (request, reply, next) => {
    request.op = tracker.enabled ? beginRequestOp(tracker, request, reply) : NOOP_OP;
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
    request.op.finish();
    forgetOp(request, request.op);
    next();
  });
  done();
};

function beginRequestOp(
  tracker: OpTracker,
  request: FastifyRequest,
  reply: FastifyReply,
): TrackedOp {
  const { url } = request;
  const query = url.indexOf('?');
  const op = tracker.begin(
    REQUEST_OP_KIND,
    `${request.method} ${query === -1 ? url : url.slice(0, query)}`,
  );
  // NOTE: onResponse runs only once the answer is written; a client that disconnects first (or a
  // server timeout) ends the response with `close` alone. Finishing twice does nothing.
  const ended = () => {
    if (!reply.raw.writableFinished) op.mark('aborted');
    op.finish();
  };
  reply.raw.once('close', () => {
    ended();
    forgetOp(request, op);
  });
  watchSocket(request, op, ended);
  return op;
}

/**
 * The ops of each connection that have not ended, and how to end each. A response waiting behind
 * another on a connection with pipelined requests is not attached to the socket, so it never
 * emits `close` when the client goes away; the socket's own `close` ends them all.
 */
const openOps = new WeakMap<object, Map<TrackedOp, () => void>>();

function watchSocket(request: FastifyRequest, op: TrackedOp, ended: () => void): void {
  const socket = request.raw.socket as Partial<Socket> | null;
  if (typeof socket?.once !== 'function') return;
  let ops = openOps.get(socket);
  if (ops === undefined) {
    const open = new Map<TrackedOp, () => void>();
    ops = open;
    openOps.set(socket, open);
    socket.once('close', () => {
      for (const end of open.values()) end();
      open.clear();
    });
  }
  ops.set(op, ended);
}

function forgetOp(request: FastifyRequest, op: TrackedOp): void {
  const socket = request.raw.socket as object | null;
  if (socket !== null) openOps.get(socket)?.delete(op);
}

/** Tracks every request as an op of `tracker` and decorates requests with `op`. */
export const opsPlugin = fp(trackRequests, { name: 'orzo-ops', fastify: '5.x' });
