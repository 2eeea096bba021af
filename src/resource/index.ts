/**
 * Resource types and resources as Gnocchi defines them, before any storage: typed attributes,
 * client bodies read and checked, JSON Patch of types, revisions of resources. Pure code; the
 * indexer stores what this folder checks.
 */
export {
  ATTRIBUTE_TYPES,
  attributeSpecJson,
  checkAttributeName,
  MAX_STRING_LENGTH,
  parseAttributeSpec,
  renderAttributeValue,
  RESERVED_ATTRIBUTE_NAMES,
  storeAttributeValue,
  type AttributeSpec,
  type AttributeType,
  type StoredAttributeValue,
} from './attribute-spec.ts';
export {
  InvalidResourceInputError,
  InvalidResourceTypeChangeError,
  ResourceTypePatchError,
} from './errors.ts';
export {
  applyResourceChanges,
  parseMetricRequests,
  parseResourceInput,
  type MetricAttachment,
  type MetricRequest,
  type NewResource,
  type Resource,
  type ResourceChanges,
  type ResourceInput,
} from './resource.ts';
export {
  applyResourceTypePatch,
  GENERIC_RESOURCE_TYPE,
  GENERIC_TYPE,
  parseResourceTypeInput,
  RESOURCE_TYPE_STATES,
  resourceTypeJson,
  type ResourceType,
  type ResourceTypeChange,
  type ResourceTypeJson,
  type ResourceTypeState,
} from './resource-type.ts';
export { HOST_CREATOR, HOST_RESOURCE_TYPE, hostResourceId } from './host-resource.ts';
