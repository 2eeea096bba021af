/** Coordination between Orzo's processes: metricd's published status. */
export * from './metricd-status.ts';
export * from './status-board.ts';
