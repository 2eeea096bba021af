/** How a metricd worker of `/v1/status` reads at a glance. */

/**
 * `up` when it is alive; `restarting` while its supervisor replaces it (no process); `starting`
 * while its process loads and has not beaten yet (it is not alive then, which read as a failure
 * right after metricd started); `down` otherwise, e.g. when no reporter has published lately.
 */
export function workerState(figures: Readonly<Record<string, unknown>> | undefined): string {
  if (figures === undefined) return '—';
  if (figures.alive === true) return 'up';
  if (figures.pid === null) return 'restarting';
  if (figures['last beat'] === null) return 'starting';
  return 'down';
}
