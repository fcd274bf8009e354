import type { Caller } from './caller.ts';

/** The permission ZITADEL requires for DeactivateAction. */
export const ACTION_WRITE = 'org.action.write';

/** Role → permissions it grants. Configurable through `ROLE_PERMISSIONS`. */
export type RolePermissions = Readonly<Record<string, readonly string[]>>;

/** ZITADEL's own role mappings for the roles that may write actions. */
export const DEFAULT_ROLE_PERMISSIONS: RolePermissions = {
  ORG_OWNER: ['org.action.read', 'org.action.write', 'org.action.delete'],
  IAM_OWNER: ['org.action.read', 'org.action.write', 'org.action.delete'],
};

/**
 * Instance roles (ZITADEL names them `IAM_*`) count for every organisation of the instance;
 * every other role counts only for the organisations listed under it in the token.
 */
const isInstanceRole = (role: string): boolean => role.startsWith('IAM_');

export function hasPermission(
  caller: Caller,
  orgId: string,
  permission: string,
  rolePermissions: RolePermissions,
): boolean {
  for (const [role, orgs] of caller.roles) {
    if (!Object.hasOwn(rolePermissions, role)) continue;
    if (!rolePermissions[role]?.includes(permission)) continue;
    if (isInstanceRole(role) || orgs.has(orgId)) return true;
  }
  return false;
}
