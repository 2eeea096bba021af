/**
 * Hooks that routes list in their `onRequest` / `preValidation` to check, in Gnocchi's order, what
 * must hold before their input is even read: JSON is acceptable, the caller is known, the caller
 * passes a policy rule that needs no target object.
 *
 * NOTE: they are callback-style hooks; fastify turns what they throw into the error answered.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

import { acceptsJson } from './media-types.ts';
import type { PolicyRule } from '../auth/policies.ts';
import { NotAcceptableError } from './request-errors.ts';

/** The shape of the hooks below. */
export type RequestHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/** An onRequest hook: refuses requests whose `Accept` rules out JSON (not for 404s or 405s). */
export const requireJsonAcceptable: RequestHook = (request, _reply, done) => {
  const config = request.routeOptions.config;
  const exempt =
    request.is404 || config.negotiate === false || config.methodNotAllowed !== undefined;
  if (!exempt && !acceptsJson(request.headers.accept)) throw new NotAcceptableError();
  done();
};

/** A preValidation hook checking a rule that needs no target object, e.g. admin-only ones. */
export function authorize(rule: PolicyRule): RequestHook {
  return (request, _reply, done) => {
    request.auth.enforce(rule);
    done();
  };
}

/** A preValidation hook requiring a known caller (for operations that record the creator). */
export const requireUser: RequestHook = (request, _reply, done) => {
  request.auth.currentUser();
  done();
};

/**
 * A preValidation hook for endpoints that always need a caller: an anonymous request is refused
 * (401) before its body is decoded, however large.
 */
export const requireCaller: RequestHook = (request, _reply, done) => {
  request.auth.currentUser();
  done();
};
