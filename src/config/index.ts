/** The engine's one configuration, read once and frozen, with its backend URLs read into targets. */
export * from './backend-urls.ts';
export * from './engine-config.ts';
