/**
 * The answer comes before the Lambda deadline (issue 20). The time bound is the behaviour here: a function that
 * answers after its deadline answers nothing (API Gateway sends a bare 500), so each test compares the elapsed
 * time with the deadline the invocation was given (`getRemainingTimeInMillis`), as a functional bound.
 *
 * Real parts: a loopback HTTP server that accepts ZITADEL's requests and never answers, the dev ZITADEL's key set,
 * a loopback issuer whose key set is held back, a DynamoDB fault proxy that swallows requests, dynalite, the local
 * API-Gateway-shaped server (which gives each invocation a deadline `timeoutMs` away) and connect-es's gRPC-web client.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createLocalServer } from '../../infra/local/server.ts';
import { deactivateEvent, lambdaContext, zitadelError, type Handler } from '../support/api.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { managementClient } from '../support/grpc-web.ts';
import { orgClaims } from '../support/issuer.ts';
import { startWorld } from '../support/setup.ts';
import { startZitadelWorld } from '../support/zitadel-world.ts';

const ORG = '310000000000000001';
const TIMEOUT = zitadelError(14, 'API-T1me0', 'Errors.Request.Timeout');
const ZITADEL_UNAVAILABLE = zitadelError(14, 'AUTHZ-Zunav', 'Errors.Authz.ZitadelUnavailable');
/** The invocation's budget in the tests through the local server: shorter than ZITADEL's 2 s bound per request. */
const SHORT_BUDGET_MS = 1_000;

/** A "ZITADEL" that takes every request and never answers. */
async function startHangingServer() {
  let requests = 0;
  const server = createServer(() => {
    requests++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function startLocal(handler: Handler, timeoutMs: number) {
  const server: Server = createLocalServer({ handler: () => handler, timeoutMs });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Both routes through the local server with a `SHORT_BUDGET_MS` deadline: 503 API-T1me0 before it, in ZITADEL's shape. */
async function expectTimeoutAnswerOnBothRoutes(handler: Handler, token: string) {
  const local = await startLocal(handler, SHORT_BUDGET_MS);
  try {
    let started = Date.now();
    const res = await fetch(`${local.url}/management/v1/actions/1/_deactivate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body: unknown = await res.json().catch(() => 'not JSON');
    let elapsed = Date.now() - started;
    assert.equal(res.status, 503, JSON.stringify(body));
    assert.deepEqual(body, TIMEOUT);
    assert.ok(elapsed < SHORT_BUDGET_MS, `JSON route answered after ${elapsed} ms, deadline ${SHORT_BUDGET_MS} ms`);

    started = Date.now();
    const error = await managementClient(local.url)
      .deactivateAction({ id: '1' }, { headers: { authorization: `Bearer ${token}` } })
      .then(
        () => assert.fail('the call succeeded'),
        (err: unknown) => err,
      );
    elapsed = Date.now() - started;
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.code, Code.Unavailable, error.rawMessage);
    assert.equal(error.rawMessage, TIMEOUT.message);
    assert.ok(elapsed < SHORT_BUDGET_MS, `gRPC-web route answered after ${elapsed} ms, deadline ${SHORT_BUDGET_MS} ms`);
  } finally {
    local.close();
  }
}

describe('a request stuck anywhere answers 503 API-T1me0 before the Lambda deadline, on both routes', () => {
  test('stuck in the authorize step (zitadel mode): ZITADEL takes the requests and never answers', async () => {
    const zitadel = await startHangingServer();
    const world = await startZitadelWorld({ apiUrl: zitadel.url });
    try {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
      const snapshot = await tableSnapshot(world.dynamo.client);
      await expectTimeoutAnswerOnBothRoutes(world.handler, 'opaqueTokenOfTheCaller0123456789');
      assert.ok(zitadel.requests() >= 2, 'the calls were stuck at ZITADEL');
      assert.equal(world.storageRequests.count, 0, 'never reached storage');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
    } finally {
      zitadel.close();
      await world.close();
    }
  });

  test('stuck in the authorize step (claims mode): the key set is held back', async () => {
    const world = await startWorld();
    try {
      world.issuer.state.delayMs = 60_000;
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
      const snapshot = await tableSnapshot(world.dynamo.client);
      await expectTimeoutAnswerOnBothRoutes(world.handler, world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })));
      assert.ok(world.issuer.state.fetches >= 1, 'the calls were stuck at the key set');
      assert.equal(world.storageRequests.count, 0, 'never reached storage');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
    } finally {
      await world.close();
    }
  });

  test('stuck in the command: DynamoDB takes the write and never answers', async () => {
    const world = await startWorld({}, { storageProxy: true });
    try {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
      const snapshot = await tableSnapshot(world.dynamo.client);
      world.proxy!.state.always = { kind: 'hang' };
      await expectTimeoutAnswerOnBothRoutes(world.handler, world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] })));
      assert.ok(world.proxy!.state.requests >= 2, 'the calls were stuck at storage');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
    } finally {
      await world.close();
    }
  });
});

describe('a hanging ZITADEL within the deployed 10 s: ZITADEL’s own bound answers first', () => {
  test('503 AUTHZ-Zunav, before the deadline the invocation was given', async () => {
    const zitadel = await startHangingServer();
    const world = await startZitadelWorld({ apiUrl: zitadel.url });
    try {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
      const context = lambdaContext(10_000);
      const deadline = Date.now() + context.getRemainingTimeInMillis();
      const result = await world.handler(deactivateEvent('1', { token: 'opaqueTokenOfTheCaller0123456789' }), context);
      const answeredAt = Date.now();
      assert.equal(result.statusCode, 503, result.body);
      assert.deepEqual(JSON.parse(result.body ?? ''), ZITADEL_UNAVAILABLE);
      assert.ok(answeredAt < deadline, `answered ${answeredAt - deadline} ms after the deadline`);
      assert.equal(world.storageRequests.count, 0);
    } finally {
      zitadel.close();
      await world.close();
    }
  });
});

