/** The API as the panel calls it: the bearer token from sessionStorage, problems as errors. */

export const TOKEN_KEY = 'apprentice.token';
export type Role = 'viewer' | 'operator' | 'admin';
export interface Session {
  readonly name: string;
  readonly role: Role;
  readonly open: boolean;
}

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
/** Whether `role` may take an action that needs `needed`. */
export const allows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  const data = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const p = (data ?? {}) as { code?: string; detail?: string; title?: string };
    throw new ApiError(res.status, p.code ?? 'ERROR', p.detail ?? p.title ?? res.statusText);
  }
  return data as T;
}

export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly time: string;
  readonly cursor: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly actor?: string; readonly reason?: string };
}

/**
 * Reads events of some types from `after` to the end of the trail, page by page (1000 a page),
 * and answers them with the cursor to continue from: a poll then costs one request that returns
 * only what is new.
 */
export async function readEvents(types: readonly string[], after: string | null): Promise<{ events: StoredEvent[]; next: string | null }> {
  const out: StoredEvent[] = [];
  let cursor = after;
  for (;;) {
    const q = new URLSearchParams({ type: types.join(','), limit: '1000', ...(cursor ? { after: cursor } : {}) });
    const page = await api<{ events: StoredEvent[]; next: string | null }>(`/api/v1/events?${q}`);
    out.push(...page.events);
    cursor = page.next;
    if (page.events.length < 1000) return { events: out, next: cursor };
  }
}
