/**
 * The console's client of the v1 API: the page's own origin, the session's headers, JSON in and
 * out, and the API's error bodies turned into messages a user can act on.
 */

/** An answer other than 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Query arguments; undefined ones are left out, arrays repeat the name. */
export type Query = Readonly<
  Record<string, string | number | boolean | readonly string[] | undefined>
>;

/** A client bound to a session's headers. */
export class Api {
  /**
   * @param root - the API's root URL (the page is served at `<root>/console/`)
   * @param onUnauthorized - called on a 401, which means the session is no longer good
   */
  constructor(
    readonly root: URL,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  /** The URL of a path under the root with its query. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(path.replace(/^\//, ''), this.root);
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      const values: readonly string[] = typeof value === 'object' ? value : [String(value)];
      for (const one of values) url.searchParams.append(name, one);
    }
    return url;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('POST', path, body, query);
  }

  patch<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.request<T>('PATCH', path, body, query);
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const response = await fetch(this.url(path, query), {
      method,
      headers: {
        ...this.headers,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'omit',
      cache: 'no-store',
    });
    const text = await response.text();
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(response.status, errorMessage(response.status, text));
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

/** The API's error body as one line: Gnocchi's `description` (a text or a cause and detail). */
export function errorMessage(status: number, text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${status}: ${text.slice(0, 200) || 'no detail'}`;
  }
  const description = (body as { description?: unknown } | null)?.description;
  if (typeof description === 'string') return `${status}: ${description}`;
  if (typeof description === 'object' && description !== null) {
    const { cause, detail, reason } = description as Record<string, unknown>;
    const parts = [cause, reason, detail].filter((part) => part !== undefined);
    return `${status}: ${parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(' — ')}`;
  }
  return `${status}: ${text.slice(0, 200)}`;
}
