import type { Authorization, Authorizer } from '../domain/authorization.ts';
import { Errors } from '../domain/errors.ts';
import { permissionsInOrg, type RolePermissions } from '../domain/permissions.ts';
import { bearerToken } from './bearer.ts';
import { orgIdCanExist } from './org-header.ts';
import type { VerifyJwt } from './token-verifier.ts';

/** ZITADEL's claim names (`internal/api/oidc`: `ClaimResourceOwnerID`, `ClaimProjectRolesFormat`). */
export const ORG_CLAIM = 'urn:zitadel:iam:user:resourceowner:id';
export const projectRolesClaim = (projectId: string) => `urn:zitadel:iam:org:project:${projectId}:roles`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The offline mode: a JWT access token, verified locally, whose project-role claim says what the user may do.
 * Roles are read only from the configured project's own claim `urn:zitadel:iam:org:project:{projectId}:roles`:
 * never from the generic `urn:zitadel:iam:org:project:roles`, which ZITADEL fills with the roles of the
 * *requesting client's* project, a project any organisation owner can create with a role named `IAM_OWNER`
 * (security finding 1). A malformed claim grants nothing.
 *
 * The caller's `Origin` is not checked here. ZITADEL checks it for JWT access tokens too (it looks every token up,
 * then the allowed origins of the token's application, `AUTH-DZG21`), but those origins are application settings
 * that no token carries, and this mode does not ask ZITADEL. Browsers are held to the HTTP API's CORS origins
 * (`corsAllowOrigins`) only; where ZITADEL's per-application check matters, use the zitadel mode.
 */
export function createClaimsAuthorizer(deps: {
  readonly verifyJwt: VerifyJwt;
  readonly projectId: string;
  readonly rolePermissions: RolePermissions;
}): Authorizer {
  const rolesClaim = projectRolesClaim(deps.projectId);
  return {
    async authorize({ authorization, orgHeader }): Promise<Authorization> {
      const payload = await deps.verifyJwt(bearerToken(authorization));
      if (orgHeader !== undefined && !orgIdCanExist(orgHeader)) throw Errors.orgNotFound();
      const ownOrg = payload[ORG_CLAIM];
      const orgId = orgHeader || (typeof ownOrg === 'string' ? ownOrg : '');

      const roles = new Map<string, Set<string>>();
      const claim = payload[rolesClaim];
      if (isRecord(claim)) {
        for (const [role, orgs] of Object.entries(claim)) {
          if (isRecord(orgs)) roles.set(role, new Set(Object.keys(orgs)));
        }
      }
      // Tokens carry no memberships: a token without a role there is "no permission", as before.
      return { userId: payload.sub, orgId, permissions: permissionsInOrg(roles, orgId, deps.rolePermissions), noMembership: false };
    },
  };
}
