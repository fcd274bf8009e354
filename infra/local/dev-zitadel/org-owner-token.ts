import { newZitadelId } from '../action-records.ts';
import type { DevZitadel } from './index.ts';

/**
 * A token that may deactivate the actions of `orgId`, for printed curl lines (`npm start`,
 * `npm run actions -- create`): in zitadel mode a PAT of the organisation's first user (created if
 * none) made its ORG_OWNER; in claims mode a JWT of that user carrying ORG_OWNER as a project role.
 */
export function orgOwnerToken(devZitadel: DevZitadel, orgId: string, { mode, ttlSeconds }: { mode: 'zitadel' | 'claims'; ttlSeconds: number }): string {
  devZitadel.addOrganization(orgId);
  let userId = devZitadel.usersOf(orgId)[0];
  if (userId === undefined) {
    userId = newZitadelId();
    devZitadel.addUser({ id: userId, orgId });
  }
  if (mode === 'claims') return devZitadel.issueJwt(userId, { ttlSeconds, roles: { ORG_OWNER: [orgId] }, withOrgClaim: true });
  devZitadel.addMembership(userId, { role: 'ORG_OWNER', orgId });
  return devZitadel.createPat(userId, { ttlSeconds });
}
