/**
 * How a Graphite path becomes a resource and a metric, in the manner of carbon-relay's rules:
 * each rule is a regular expression over the whole path whose named groups `resource` and
 * `metric` say which part is which; the first rule that matches wins. A path no rule matches
 * is split by `resourceComponents`: its first N components name the resource, the rest the
 * metric (`web01.cpu.user` → resource `web01`, metric `cpu.user` with N = 1).
 *
 * The resource id is the part as read; like any id of the API that is not a UUID, the engine
 * makes it a UUID for the creator, and keeps the name as `original_resource_id`.
 */
import { MAX_RESOURCE_ID_LENGTH } from '../../grammar/index.ts';
import { MAX_METRIC_NAME_LENGTH } from '../services/resource-metrics.ts';

/** A rule as configured. */
export interface GraphitePathRule {
  readonly pattern: string;
  readonly resourceType?: string | undefined;
}

/** Where a path goes. */
export interface GraphiteDestination {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly metric: string;
}

/** A path that no rule maps, or that maps to an id or name the engine refuses. */
export class GraphitePathError extends Error {}

/** A rule that cannot be compiled; the message names it. */
export class GraphiteRuleError extends Error {}

interface CompiledRule {
  readonly regex: RegExp;
  readonly resourceType: string;
}

/** The mapping of one listener. */
export class GraphitePaths {
  readonly #rules: readonly CompiledRule[];
  readonly #resourceType: string;
  readonly #resourceComponents: number;

  /** Throws {@link GraphiteRuleError} for a rule that is not a regex with both groups. */
  constructor(options: {
    readonly rules: readonly GraphitePathRule[];
    readonly resourceType: string;
    readonly resourceComponents: number;
  }) {
    this.#resourceType = options.resourceType;
    this.#resourceComponents = options.resourceComponents;
    this.#rules = options.rules.map((rule, index) => {
      let regex: RegExp;
      try {
        regex = new RegExp(rule.pattern, 'u');
      } catch (error) {
        throw new GraphiteRuleError(`rule ${String(index)}: ${(error as Error).message}`);
      }
      for (const group of ['resource', 'metric']) {
        if (!rule.pattern.includes(`(?<${group}>`)) {
          throw new GraphiteRuleError(`rule ${String(index)}: no named group \`${group}'`);
        }
      }
      return { regex, resourceType: rule.resourceType ?? options.resourceType };
    });
  }

  /** Maps a path; throws {@link GraphitePathError}. */
  map(path: string): GraphiteDestination {
    for (const rule of this.#rules) {
      const groups = rule.regex.exec(path)?.groups;
      if (groups === undefined) continue;
      return checked(rule.resourceType, groups.resource ?? '', groups.metric ?? '');
    }
    const components = path.split('.');
    if (components.length <= this.#resourceComponents) {
      throw new GraphitePathError(
        `path \`${path}' has ${String(components.length)} components: no metric name is left ` +
          `after the ${String(this.#resourceComponents)} of the resource`,
      );
    }
    return checked(
      this.#resourceType,
      components.slice(0, this.#resourceComponents).join('.'),
      components.slice(this.#resourceComponents).join('.'),
    );
  }
}

function checked(resourceType: string, resourceId: string, metric: string): GraphiteDestination {
  if (resourceId === '') throw new GraphitePathError('the rule matched an empty resource');
  if (metric === '') throw new GraphitePathError('the rule matched an empty metric');
  if (Array.from(resourceId).length > MAX_RESOURCE_ID_LENGTH) {
    throw new GraphitePathError(`resource id longer than ${String(MAX_RESOURCE_ID_LENGTH)}`);
  }
  if (Array.from(metric).length > MAX_METRIC_NAME_LENGTH) {
    throw new GraphitePathError(`metric name longer than ${String(MAX_METRIC_NAME_LENGTH)}`);
  }
  return { resourceType, resourceId, metric };
}
