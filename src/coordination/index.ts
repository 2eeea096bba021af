/** Coordination between Orzo's processes: metricd's published status, the reporter election. */
export * from './admin-socket.ts';
export * from './metricd-status.ts';
export * from './ops-command.ts';
export * from './status-board.ts';
export * from './host-now-board.ts';
export * from './create-boards.ts';
export * from './redis/reporter-election.ts';
export * from './redis/redis-status-board.ts';
export * from './redis/redis-host-now-board.ts';
export * from './redis/report-board.ts';
