import { DEV_CLIENT_ID, type DevZitadel } from './index.ts';

/** The demo user `npm start` prints a token for: a human of the demo organisation, its ORG_OWNER. */
export const DEMO_USER_ID = '300000000000000200';
/** The demo application's redirect URI: its JWT and opaque tokens are accepted from this origin only (AUTH-DZG21). */
export const DEMO_APP_REDIRECT_URI = 'http://localhost:3000/auth/callback';

/**
 * Seeds the demo organisation, its user and the user's ORG_OWNER membership (a no-op when they exist), and the
 * demo application's redirect URI (PATs have no application, so the printed PAT works from any origin).
 */
export function seedDemoIdentity(devZitadel: DevZitadel, orgId: string): void {
  devZitadel.addOrganization(orgId, 'Demo');
  devZitadel.addUser({ id: DEMO_USER_ID, orgId, userName: 'demo' });
  devZitadel.addMembership(DEMO_USER_ID, { role: 'ORG_OWNER', orgId });
  devZitadel.configureApplication(DEV_CLIENT_ID, { redirectUris: [DEMO_APP_REDIRECT_URI] });
}
