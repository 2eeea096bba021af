/**
 * The reporter's sizing rule: enough metrics per block that every worker gets one, about
 * `ceil(pending / workers)`, clamped so that a block stays small enough to hand out again cheaply
 * when its worker dies and large enough to batch I/O.
 */
export function blockSizeFor(
  pendingMetrics: number,
  workers: number,
  limits: { readonly min: number; readonly max: number },
): number {
  const even = Math.ceil(pendingMetrics / Math.max(1, workers));
  return Math.min(limits.max, Math.max(limits.min, even));
}
