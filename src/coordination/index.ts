/** Coordination between Orzo's processes: metricd's published status. */
export * from './admin-socket.ts';
export * from './metricd-status.ts';
export * from './ops-command.ts';
export * from './status-board.ts';
