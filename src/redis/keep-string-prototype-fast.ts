/**
 * Gives `String.prototype` back the fast properties that ioredis's `class … extends String` takes
 * from it, for the whole process. Each entry point (`cli/main.ts`, the API's measure-parsing
 * worker) calls it once its modules are loaded.
 *
 * Why: ioredis (6.0.0, `built/resp/verbatim-string.js`) subclasses `String`. When V8 links a new
 * prototype chain it switches the prototypes on it to dictionary mode for their setup, and makes
 * them fast again only once an inline cache looks a property up through that chain, which calls
 * on string primitives never do. Every `orzo` process loads ioredis (the incoming and lock
 * drivers are chosen at run time); from then on every string method call in optimised code —
 * `charCodeAt`, `slice`, `startsWith`… — went through a dictionary lookup instead of being
 * inlined. Seen with `%HasFastProperties`: metricd's workers stayed so for their whole life, the
 * API process until its first requests happened to make it fast. In `npm run bench:parse`, whose
 * process stays so too, reading the common ISO 8601 form of a timestamp took 245–375 ns, and
 * 65–90 ns once fast (see docs/benchmarks.md).
 *
 * How: calls on an instance of a subclass of our own, made often enough for V8 to give the
 * calling code inline caches, which then mark the chain up to `String.prototype` as one to keep
 * fast. A prototype so marked is not switched to dictionary mode again by later subclasses.
 * Nothing here changes what any string method does; `test/redis/keep-string-prototype-fast.test.ts`
 * checks the effect through V8's `%HasFastProperties`.
 */

/** Enough calls for V8 to allocate the calling function's feedback (10 sufficed on Node 20). */
const CALLS = 1000;

/** Makes `String.prototype` fast again and keeps it so; call it once the modules are loaded. */
export function keepStringPrototypeFast(): void {
  class Probe extends String {}
  const probe = new Probe('probe');
  let sum = 0;
  for (let i = 0; i < CALLS; i++) sum += probe.charCodeAt(i % 5);
  // NOTE: used, so that the loop is not taken for dead code.
  if (sum < 0) throw new Error('unreachable');
}
