/** Faults of resource types and resources as clients describe them, before any storage. */
import { EngineError } from '../errors/engine-error.ts';
import type { DocumentPath } from '../grammar/index.ts';

/**
 * A resource type definition, or a resource's attributes, that do not fit the rules; `path`
 * locates the fault in the client's document (voluptuous's `@ data[…]`), when it has one.
 */
export class InvalidResourceInputError extends EngineError {
  readonly code = 'INVALID_RESOURCE_INPUT';
  readonly path: DocumentPath | undefined;

  constructor(message: string, path?: DocumentPath) {
    super(message);
    this.path = path;
  }
}

/** A resource type change Gnocchi refuses in its own words (`Invalid input: …` strings). */
export class InvalidResourceTypeChangeError extends EngineError {
  readonly code = 'INVALID_RESOURCE_TYPE_CHANGE';
}

/** A JSON Patch that cannot be applied to a resource type (RFC 6902 semantics). */
export class ResourceTypePatchError extends EngineError {
  readonly code = 'RESOURCE_TYPE_PATCH_FAILED';
}
