export { EngineError } from './engine-error.ts';
export { ConfigError } from './config-error.ts';
export { ERROR_CODES, type ErrorCode } from './error-code.ts';
