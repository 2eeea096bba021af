/**
 * The paths `bench/pass.bench.ts --marks` asks for (with `stat`, and never finds) just before
 * and just after its timed pass, so that a system-call trace of the whole run can be cut to the
 * pass alone (`bench/pass-syscalls.ts`).
 */
export const PASS_STARTS = '/nonexistent/orzo-bench-pass-starts';
export const PASS_ENDS = '/nonexistent/orzo-bench-pass-ends';
