export { EngineError } from './engine-error.ts';
export { ConfigError } from './config-error.ts';
