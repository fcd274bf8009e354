import type { DevZitadel } from './index.ts';

/** The demo user `npm start` prints a token for: a human of the demo organisation, its ORG_OWNER. */
export const DEMO_USER_ID = '300000000000000200';

/** Seeds the demo organisation, its user and the user's ORG_OWNER membership; a no-op when they exist. */
export function seedDemoIdentity(devZitadel: DevZitadel, orgId: string): void {
  devZitadel.addOrganization(orgId, 'Demo');
  devZitadel.addUser({ id: DEMO_USER_ID, orgId, userName: 'demo' });
  devZitadel.addMembership(DEMO_USER_ID, { role: 'ORG_OWNER', orgId });
}
