/**
 * Who may do what: Gnocchi HEAD's default policy rules (`rest/policies.py`), as data.
 *
 * A rule is checked against the caller's credentials and a target: the object acted on, as its
 * JSON flattened with `.` (`resource.project_id`). The named checks are Gnocchi's aliases:
 * `admin_or_creator` = role admin, or the caller is the target's creator, or the caller's project
 * is the project that created it; `metric_owner` = the caller's project owns the metric's resource.
 * A check on a credential the caller does not have (basic auth has no project) fails, as in
 * oslo.policy.
 */

/** What the policy knows about the caller. */
export interface Credentials {
  readonly user: string;
  readonly roles: readonly string[];
  /** Absent in basic and noauth modes, which know no projects. */
  readonly projectId?: string;
}

/** The object a rule is checked against, flattened with `.`. */
export type PolicyTarget = Readonly<Record<string, string | null | undefined>>;

type Check = (credentials: Credentials, target: PolicyTarget) => boolean;

const role =
  (name: string): Check =>
  (credentials) =>
    credentials.roles.includes(name);
const anyOf =
  (...checks: Check[]): Check =>
  (credentials, target) =>
    checks.some((check) => check(credentials, target));
const sameProject = (credentials: Credentials, value: string | null | undefined): boolean =>
  credentials.projectId !== undefined && value !== undefined && credentials.projectId === value;

const UNPROTECTED: Check = () => true;
const ADMIN = role('admin');
const ADMIN_OR_SERVICE = anyOf(ADMIN, role('service'));
const CREATOR: Check = (credentials, target) =>
  (target.creator !== undefined && credentials.user === target.creator) ||
  sameProject(credentials, target.created_by_project_id);
const ADMIN_OR_CREATOR = anyOf(ADMIN, CREATOR);
const RESOURCE_OWNER: Check = (credentials, target) => sameProject(credentials, target.project_id);
const METRIC_OWNER: Check = (credentials, target) =>
  sameProject(credentials, target['resource.project_id']);

/** Every rule of Gnocchi HEAD's default policy, by Gnocchi's rule name, and Orzo's own. */
export const POLICY_RULES = {
  'get status': ADMIN,
  // NOTE: Orzo's own: op descriptions name metrics of every user, as `get status` does.
  'get ops': ADMIN,
  // NOTE: Orzo's own: findings name instances and hosts of every project.
  'get subhealth': ADMIN,
  'update subhealth': ADMIN,
  'create resource': UNPROTECTED,
  'get resource': anyOf(ADMIN_OR_CREATOR, RESOURCE_OWNER),
  'update resource': anyOf(ADMIN_OR_SERVICE, CREATOR),
  'delete resource': ADMIN_OR_CREATOR,
  'delete resources': ADMIN_OR_CREATOR,
  'list resource': anyOf(ADMIN_OR_CREATOR, RESOURCE_OWNER),
  'search resource': anyOf(ADMIN_OR_SERVICE, CREATOR, RESOURCE_OWNER),
  'create resource type': ADMIN_OR_SERVICE,
  'get resource type': UNPROTECTED,
  'update resource type': ADMIN_OR_SERVICE,
  'delete resource type': ADMIN,
  'list resource type': UNPROTECTED,
  'create archive policy': ADMIN_OR_SERVICE,
  'get archive policy': UNPROTECTED,
  'update archive policy': ADMIN,
  'delete archive policy': ADMIN,
  'list archive policy': UNPROTECTED,
  'create archive policy rule': ADMIN,
  'get archive policy rule': UNPROTECTED,
  'update archive policy rule': ADMIN,
  'delete archive policy rule': ADMIN,
  'list archive policy rule': UNPROTECTED,
  'create metric': UNPROTECTED,
  'get metric': anyOf(ADMIN_OR_SERVICE, CREATOR, METRIC_OWNER),
  'delete metric': ADMIN_OR_CREATOR,
  'list metric': anyOf(ADMIN_OR_CREATOR, METRIC_OWNER),
  'search metric': anyOf(ADMIN_OR_CREATOR, METRIC_OWNER),
  'post measures': anyOf(ADMIN_OR_SERVICE, CREATOR),
  'get measures': anyOf(ADMIN_OR_SERVICE, CREATOR, METRIC_OWNER),
} as const satisfies Readonly<Record<string, Check>>;

/** The name of a policy rule. */
export type PolicyRule = keyof typeof POLICY_RULES;

/** Whether the rule lets these credentials act on the target. */
export function isAllowed(
  rule: PolicyRule,
  credentials: Credentials,
  target: PolicyTarget = {},
): boolean {
  return POLICY_RULES[rule](credentials, target);
}
