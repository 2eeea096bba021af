/**
 * Sub-health detection: slow instances found among their peers, their waits judged against
 * their share of the load. Pure code: the scores of one check, the rules that pick suspects, and
 * the streaks that make a suspect slow and clear it.
 */
export * from './check-scores.ts';
export * from './slow-instance-detector.ts';
export * from './errors.ts';
export * from './group-settings.ts';
export * from './group-config.ts';
