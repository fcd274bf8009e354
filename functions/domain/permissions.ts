/** The permission ZITADEL requires for DeactivateAction. */
export const ACTION_WRITE = 'org.action.write';

/** Role → permissions it grants: project roles (claims mode) or ZITADEL's manager roles (zitadel mode). Configurable through `ROLE_PERMISSIONS`. */
export type RolePermissions = Readonly<Record<string, readonly string[]>>;

/**
 * ZITADEL's default role mappings (`cmd/defaults.yaml`, `InternalAuthZ.RolePermissionMappings`), reduced to
 * the action permissions, for the roles that may write actions. The `*_VIEWER` roles hold `org.action.read` only.
 */
export const DEFAULT_ROLE_PERMISSIONS: RolePermissions = {
  IAM_OWNER: ['org.action.read', 'org.action.write', 'org.action.delete'],
  IAM_ORG_MANAGER: ['org.action.read', 'org.action.write', 'org.action.delete'],
  ORG_OWNER: ['org.action.read', 'org.action.write', 'org.action.delete'],
};

/**
 * Instance roles (ZITADEL names them `IAM_*`) count for every organisation of the instance;
 * every other role counts only for the organisations it was granted for.
 */
const isInstanceRole = (role: string): boolean => role.startsWith('IAM_');

/** The permissions that `roles` (role → organisations granted for) give in `orgId`. */
export function permissionsInOrg(
  roles: ReadonlyMap<string, ReadonlySet<string>>,
  orgId: string,
  rolePermissions: RolePermissions,
): Set<string> {
  const permissions = new Set<string>();
  for (const [role, orgs] of roles) {
    if (!Object.hasOwn(rolePermissions, role)) continue;
    if (!isInstanceRole(role) && !orgs.has(orgId)) continue;
    for (const permission of rolePermissions[role] ?? []) permissions.add(permission);
  }
  return permissions;
}
