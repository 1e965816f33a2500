import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal contexts hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** sha256 hex of agent and canonical context: the key of `getDecision(context)`. */
export function hashContext(agent: string, context: unknown): string {
  return createHash('sha256').update(agent).update('\0').update(canonicalJson(context)).digest('hex');
}
