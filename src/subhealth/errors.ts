/** The errors of sub-health settings. */
import { EngineError } from '../errors/engine-error.ts';

/** A group's settings that cannot be applied: which group, and what is wrong. */
export class InvalidSubhealthSettingsError extends EngineError {
  readonly code = 'INVALID_SUBHEALTH_SETTINGS';
  readonly group: string;

  constructor(group: string, message: string) {
    super(`sub-health group ${group}: ${message}`);
    this.group = group;
  }
}

/** A group no settings name. */
export class SubhealthGroupNotFoundError extends EngineError {
  readonly code = 'SUBHEALTH_GROUP_NOT_FOUND';
  readonly group: string;

  constructor(group: string) {
    super(`sub-health group ${group} does not exist`);
    this.group = group;
  }
}
