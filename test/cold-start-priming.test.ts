/** Cold-start priming (`handler.prime()`, awaited by the Lambda entry at init). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from './support/api.ts';
import { putAction } from './support/dynamodb.ts';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { createJwtVerifier } from '../functions/auth/token-verifier.ts';
import { VerifiedTokenCache } from '../functions/auth/verified-token-cache.ts';
import { orgClaims, PROJECT_ID, startIssuer } from './support/issuer.ts';
import { freePort } from './support/ports.ts';
import { startWorld } from './support/setup.ts';
import { startZitadelWorld } from './support/zitadel-world.ts';

const ORG = '69629023906488334';
type Primed = { prime(): Promise<void> };

test('after priming, the first request fetches no key set and its DynamoDB connection is already open', async () => {
  const world = await startWorld();
  try {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
    await (world.handler as unknown as Primed).prime();
    assert.equal(world.issuer.state.fetches, 1, 'the key set was fetched at init');
    assert.equal(world.storageRequests.count, 1, 'one GetItem at init');
    const res = await call(world.handler, '1', { token: world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })) });
    assert.equal(res.status, 200);
    assert.equal(world.issuer.state.fetches, 1, 'no fetch on the first request');
    assert.equal(world.storageRequests.count, 2, 'the first request sends only its UpdateItem');
  } finally {
    await world.close();
  }
});

test('priming the zitadel mode sends no token and asks the Auth API nothing', async () => {
  const world = await startZitadelWorld();
  try {
    await (world.handler as unknown as Primed).prime();
    assert.equal(world.zitadelRequests(), 0);
    assert.equal(world.zitadel.stats.jwks, 1);
  } finally {
    await world.close();
  }
});

test('priming against an issuer and a ZITADEL that are down resolves, and the function still answers', async () => {
  const closed = `http://127.0.0.1:${await freePort()}`;
  const world = await startZitadelWorld({ issuer: closed, jwksUri: `${closed}/oauth/v2/keys`, apiUrl: closed });
  try {
    await (world.handler as unknown as Primed).prime();
    const res = await call(world.handler, '1', { token: 'opaque-token-value' });
    assert.equal(res.status, 503);
    assert.equal(res.body.details[0].id, 'AUTHZ-Zunav');
  } finally {
    await world.close();
  }
});

test('key-set priming runs one verification that cannot pass: nothing cached, no second fetch, real tokens verified in full', async () => {
  const issuer = await startIssuer();
  try {
    const cache = new VerifiedTokenCache<JwtPayload & { sub: string; exp: number }>();
    const jwt = createJwtVerifier({ issuer: issuer.url, audience: [PROJECT_ID], jwksUri: `${issuer.url}/oauth/v2/keys` }, cache);
    await jwt.hydrate();
    assert.equal(issuer.state.fetches, 1, 'the key set was fetched once');
    assert.equal(cache.size, 0, 'the priming token (all-zero signature) was refused, so nothing was cached');
    const payload = await jwt.verify(issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })));
    assert.equal(payload.sub, 'user-1');
    assert.equal(cache.size, 1);
    assert.equal(issuer.state.fetches, 1, 'priming left no unknown kid behind and no refetch');
  } finally {
    await issuer.close();
  }
});
