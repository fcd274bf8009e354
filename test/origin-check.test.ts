/**
 * ZITADEL's origin check (`checkOrigin`, internal/api/authz/context.go): a token issued to an application,
 * sent from a browser origin that application does not allow (its redirect URIs' origins and additional
 * origins), is refused with PermissionDenied `Errors.OriginNotAllowed (AUTH-DZG21)`; no Origin header, or a
 * token without an application (a PAT), is not checked. In zitadel mode the function forwards the caller's
 * Origin to ZITADEL's Auth API and passes the refusal through; its decision cache keeps origins apart.
 * All real: the dev ZITADEL over HTTP, dynalite, the production handler.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEV_CLIENT_ID, USERS_ME_PATH, PERMISSIONS_PATH } from '../infra/local/dev-zitadel/index.ts';
import { call, zitadelError } from './support/api.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import { startZitadelWorld, type ZitadelWorld } from './support/zitadel-world.ts';

const ORG = '340000000000000001';
const OWNER = '350000000000000001';
const APP_ORIGIN = 'https://console.example.com'; // from the redirect URI
const EXTRA_ORIGIN = 'http://localhost:4200'; // an additional origin
const FOREIGN_ORIGIN = 'https://evil.example.net';
const ORIGIN_NOT_ALLOWED = zitadelError(7, 'AUTH-DZG21', 'Errors.OriginNotAllowed');

let world: ZitadelWorld;
let nextAction = 0;
before(async () => {
  world = await startZitadelWorld();
  world.zitadel.addOrganization(ORG, 'origins');
  world.zitadel.addUser({ id: OWNER, orgId: ORG });
  world.zitadel.addMembership(OWNER, { role: 'ORG_OWNER', orgId: ORG });
  world.zitadel.configureApplication(DEV_CLIENT_ID, { redirectUris: [`${APP_ORIGIN}/auth/callback`], additionalOrigins: [EXTRA_ORIGIN] });
});
after(() => world.close());

async function newAction(): Promise<string> {
  const id = `36000000000000${String(++nextAction).padStart(4, '0')}`;
  await putAction(world.dynamo.client, { resourceOwner: ORG, id, sequence: 1 });
  return id;
}

describe('the dev ZITADEL checks origins as ZITADEL does', () => {
  const ask = (path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${world.zitadel.url}${path}`, {
      method: path === USERS_ME_PATH ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(path === USERS_ME_PATH ? {} : { body: '{}' }),
    });

  test('a token issued to the application: its origins pass, any other is AUTH-DZG21 on both Auth API calls', async () => {
    for (const token of [world.zitadel.issueJwt(OWNER), world.zitadel.issueOpaque(OWNER)]) {
      for (const path of [USERS_ME_PATH, PERMISSIONS_PATH]) {
        for (const origin of [APP_ORIGIN, EXTRA_ORIGIN]) assert.equal((await ask(path, token, { origin })).status, 200, `${path} ${origin}`);
        assert.equal((await ask(path, token)).status, 200, 'no Origin: not checked');
        const refused = await ask(path, token, { origin: FOREIGN_ORIGIN });
        assert.equal(refused.status, 403);
        assert.deepEqual(await refused.json(), ORIGIN_NOT_ALLOWED);
        // Exact comparison: a path, another port or another scheme is another origin.
        for (const near of [`${APP_ORIGIN}/`, `${APP_ORIGIN}:443`, 'http://console.example.com']) {
          assert.equal((await ask(path, token, { origin: near })).status, 403, near);
        }
      }
    }
  });

  test('a PAT has no application: its origin is not checked', async () => {
    assert.equal((await ask(USERS_ME_PATH, world.zitadel.createPat(OWNER), { origin: FOREIGN_ORIGIN })).status, 200);
  });

  test('the origin is checked after the token and before the organisation, as in VerifyTokenAndCreateCtxData', async () => {
    const token = world.zitadel.issueJwt(OWNER);
    const unknownOrg = await ask(PERMISSIONS_PATH, token, { origin: FOREIGN_ORIGIN, 'x-zitadel-orgid': '999' });
    assert.deepEqual(await unknownOrg.json(), ORIGIN_NOT_ALLOWED);
    const invalidToken = await ask(USERS_ME_PATH, 'not-a-token', { origin: FOREIGN_ORIGIN });
    assert.equal(invalidToken.status, 401);
  });
});

describe('zitadel mode: the function forwards the Origin and passes ZITADEL’s refusal through', () => {
  test('an allowed origin deactivates; a refused one is 403 AUTH-DZG21 and writes nothing', async () => {
    const token = world.zitadel.issueOpaque(OWNER);
    const id = await newAction();
    const snapshot = await tableSnapshot(world.dynamo.client);
    const refused = await call(world.handler, id, { token, headers: { origin: FOREIGN_ORIGIN } });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, ORIGIN_NOT_ALLOWED);
    assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');

    const allowed = await call(world.handler, id, { token, headers: { origin: APP_ORIGIN } });
    assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
    assert.equal(allowed.body.details.resourceOwner, ORG);
  });

  test('a decision for one origin never serves another (cache key): allowed first, then refused, and the reverse', async () => {
    const token = world.zitadel.issueJwt(OWNER);
    const first = await newAction();
    assert.equal((await call(world.handler, first, { token, headers: { origin: EXTRA_ORIGIN } })).status, 200);
    const second = await newAction();
    const snapshot = await tableSnapshot(world.dynamo.client);
    const refused = await call(world.handler, second, { token, headers: { origin: FOREIGN_ORIGIN } });
    assert.equal(refused.status, 403, 'the cached answer for the allowed origin was not reused');
    assert.deepEqual(refused.body, ORIGIN_NOT_ALLOWED);
    assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
    // The refusal is cached for its origin only: the same token from an allowed origin still works.
    assert.equal((await call(world.handler, second, { token, headers: { origin: APP_ORIGIN } })).status, 200);
  });

  test('a server-side caller (no Origin) is not checked, whatever token it holds', async () => {
    const id = await newAction();
    assert.equal((await call(world.handler, id, { token: world.zitadel.issueJwt(OWNER) })).status, 200);
  });
});
