import type { DevZitadel } from './index.ts';
import { ROLE_PERMISSIONS } from './role-permissions.ts';

/**
 * A token that may deactivate the actions of `orgId`, for the curl line `npm run actions -- create`
 * prints, minted without changing the dev ZITADEL: no organisation, user or membership is created
 * or changed (creating an action must not grant anyone anything). In zitadel mode a PAT of a user of
 * that organisation whose memberships already give `org.action.write` there; in claims mode a JWT
 * of the organisation's first user carrying ORG_OWNER as a project role (roles in a token, not
 * memberships). `undefined` when there is no such user: the caller tells how to make one.
 */
export function orgOwnerToken(devZitadel: DevZitadel, orgId: string, { mode, ttlSeconds }: { mode: 'zitadel' | 'claims'; ttlSeconds: number }): string | undefined {
  for (const userId of devZitadel.usersOf(orgId)) {
    const allowed = mode === 'claims' || devZitadel.rolesIn(userId, orgId).some((role) => ROLE_PERMISSIONS[role]?.includes('org.action.write'));
    if (!allowed) continue;
    try {
      return mode === 'claims'
        ? devZitadel.issueJwt(userId, { ttlSeconds, roles: { ORG_OWNER: [orgId] }, withOrgClaim: true })
        : devZitadel.createPat(userId, { ttlSeconds });
    } catch {
      // A deactivated user gets no token: try the next one.
    }
  }
  return undefined;
}
