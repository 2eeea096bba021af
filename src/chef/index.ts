/** The processing pipeline shared by metricd, the API's refresh and the janitor. */
export * from './chef.ts';
export * from './damage-log.ts';
export * from './errors.ts';
export * from './processing-figures.ts';
