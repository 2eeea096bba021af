/** Resources as the console names and finds them. */

/** The parts of a resource the console reads, as a metric's details show it. */
export interface ResourceColumns {
  readonly id: string;
  readonly type: string;
  readonly original_resource_id?: string | null;
  readonly [attribute: string]: unknown;
}

/** A resource as listings show it: with its metrics by name. */
export interface ResourceJson extends ResourceColumns {
  readonly metrics: Readonly<Record<string, string>>;
}

/** A resource's name as people know it: a name attribute, else its original id. */
export function resourceName(resource: ResourceColumns): string {
  for (const attribute of ['name', 'display_name', 'host']) {
    const value = resource[attribute];
    if (typeof value === 'string' && value !== '') return value;
  }
  return resource.original_resource_id ?? resource.id;
}

/** A filter in the API's syntax, or plain words, which search original ids. */
export function resourceFilter(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/[=<>!]|\s(like|in|and|or|not|eq|ne|lt|le|gt|ge)\s/i.test(trimmed)) return trimmed;
  return `original_resource_id like '%${trimmed.replace(/'/g, "\\'")}%'`;
}
