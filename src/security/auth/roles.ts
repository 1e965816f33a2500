/** API token roles, least to most privileged: viewer < operator < admin. */
export const Role = { viewer: 'viewer', operator: 'operator', admin: 'admin' } as const;
export type Role = (typeof Role)[keyof typeof Role];

const RANK: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export const isRole = (x: unknown): x is Role => typeof x === 'string' && Object.hasOwn(RANK, x);

/**
 * Whether `role` may do what `required` allows (roles are ordered).
 * @example
 * roleAllows('operator', 'viewer'); // true
 * roleAllows('viewer', 'admin'); // false
 */
export function roleAllows(role: Role, required: Role): boolean {
  if (!isRole(role) || !isRole(required)) return false;
  return RANK[role] >= RANK[required];
}
