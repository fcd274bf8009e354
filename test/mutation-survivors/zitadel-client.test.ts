/**
 * Mutation-audit survivors of the ZITADEL client (functions/auth/zitadel-auth-api.ts, issue 20), each against
 * real loopback HTTP servers standing in for a misbehaving ZITADEL (`ZITADEL_API_URL`), the handler built by the
 * production factory in zitadel mode, and dynalite:
 * - `redirect: 'error'`: a ZITADEL answering 302/307 to another server; that server never hears of the call
 *   (neither the token nor anything else), and its "yes" never authorizes anything;
 * - the 256 KiB answer cap: an oversized or endless answer is 503, and only a bounded amount is ever read;
 * - ResourceExhausted passed through: ZITADEL's quota answer (429, `{code: 8, ...}`) reaches the caller as it is.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { call, zitadelError } from '../support/api.ts';
import { putAction, tableSnapshot } from '../support/dynamodb.ts';
import { startZitadelWorld, type ZitadelWorld } from '../support/zitadel-world.ts';

const ORG = '310000000000000001';
const USER = '320000000000000001';
const ZITADEL_UNAVAILABLE = zitadelError(14, 'AUTHZ-Zunav', 'Errors.Authz.ZitadelUnavailable');
/** An answer over 256 KiB is not ZITADEL's (README, error table). */
const ZITADEL_ANSWER_INVALID = zitadelError(14, 'AUTHZ-Zansw', 'Errors.Authz.ZitadelAnswerInvalid');
const TOKEN = 'an-opaque-token-of-the-caller-0123456789';

type Respond = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on loopback, recording every request it gets (path and Authorization header). */
async function startServer(respond: Respond) {
  const requests: { path: string | undefined; authorization: string | undefined }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url, authorization: req.headers.authorization });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** What a ZITADEL that lets USER write actions in ORG answers on both Auth API calls. */
const allowing: Respond = (req, res) => {
  const body = req.url?.startsWith('/auth/v1/users/me')
    ? { user: { id: USER, details: { resourceOwner: ORG } } }
    : { result: [{ orgId: ORG, roles: ['ORG_OWNER'], details: { resourceOwner: ORG } }] };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** A zitadel-mode world whose ZITADEL API is `apiUrl`, with ORG's action `1`; asserts nothing was written. */
async function withWorld(apiUrl: string, body: (w: ZitadelWorld) => Promise<void>) {
  const world = await startZitadelWorld({ apiUrl });
  try {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: '1' });
    const snapshot = await tableSnapshot(world.dynamo.client);
    await body(world);
    assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot, 'nothing written');
  } finally {
    await world.close();
  }
}

describe('a ZITADEL that redirects: the token goes nowhere else', () => {
  for (const status of [302, 307]) {
    test(`${status} to another server: 503 AUTHZ-Zunav, the other server gets no request at all`, async () => {
      const elsewhere = await startServer(allowing);
      const redirecting = await startServer((req, res) => res.writeHead(status, { location: `${elsewhere.url}${req.url}` }).end());
      try {
        await withWorld(redirecting.url, async (world) => {
          const res = await call(world.handler, '1', { token: TOKEN });
          assert.equal(res.status, 503, JSON.stringify(res.body));
          assert.deepEqual(res.body, ZITADEL_UNAVAILABLE);
        });
        assert.equal(redirecting.requests.length, 2, 'both Auth API calls went to the configured ZITADEL');
        assert.deepEqual(elsewhere.requests, [], 'the redirect target never heard of the call');
      } finally {
        elsewhere.close();
        redirecting.close();
      }
    });
  }
});

describe('an oversized answer from ZITADEL: 503, and memory stays bounded', () => {
  test('a well-formed "yes" padded to 8 MiB is not ZITADEL’s: 503 AUTHZ-Zansw, not 200', async () => {
    const padding = 'x'.repeat(8 * 2 ** 20);
    const oversized = await startServer((req, res) => {
      const body = req.url?.startsWith('/auth/v1/users/me')
        ? { user: { id: USER, details: { resourceOwner: ORG } }, padding }
        : { result: [{ orgId: ORG, roles: ['ORG_OWNER'], details: { resourceOwner: ORG } }], padding };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    try {
      await withWorld(oversized.url, async (world) => {
        const res = await call(world.handler, '1', { token: TOKEN });
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.deepEqual(res.body, ZITADEL_ANSWER_INVALID);
      });
    } finally {
      oversized.close();
    }
  });

  test('an endless answer: 503 AUTHZ-Zansw, and the function stops reading after a bounded amount', async () => {
    let accepted = 0; // bytes the socket took from the server: read by the client or buffered by the kernel
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const endless = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"padding":"');
      const pump = () => {
        while (!res.destroyed) {
          accepted += chunk.length;
          if (!res.write(chunk)) break;
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    try {
      await withWorld(endless.url, async (world) => {
        const res = await call(world.handler, '1', { token: TOKEN });
        assert.equal(res.status, 503, JSON.stringify(res.body));
        assert.deepEqual(res.body, ZITADEL_ANSWER_INVALID);
      });
      // Two requests, each cut at 256 KiB; the rest is what loopback socket buffers hold. An uncapped reader
      // takes everything it can in ZITADEL's 2 s bound (hundreds of MiB).
      const acceptedMiB = accepted / 2 ** 20;
      console.log(`endless answer: the server could write ${acceptedMiB.toFixed(1)} MiB in all before the function hung up`);
      assert.ok(acceptedMiB < 32, `${acceptedMiB.toFixed(1)} MiB taken from the endless answer`);
    } finally {
      endless.close();
    }
  });
});

describe('ZITADEL’s quota answer passes through', () => {
  // ZITADEL's limits interceptor (internal/api/grpc/server/middleware/limits_interceptor.go):
  // zerrors.ThrowResourceExhausted(nil, "QUOTA-vjAy8", "Errors.Quota.Access.Exhausted"), HTTP 429 at the gateway.
  const QUOTA_EXHAUSTED = zitadelError(8, 'QUOTA-vjAy8', 'Errors.Quota.Access.Exhausted');

  test('429 {code: 8, ...}: the caller gets 429 with ZITADEL’s own body, nothing written', async () => {
    const exhausted = await startServer((_req, res) =>
      res.writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify(QUOTA_EXHAUSTED)),
    );
    try {
      await withWorld(exhausted.url, async (world) => {
        const res = await call(world.handler, '1', { token: TOKEN });
        assert.equal(res.status, 429, JSON.stringify(res.body));
        assert.deepEqual(res.body, QUOTA_EXHAUSTED);
      });
    } finally {
      exhausted.close();
    }
  });
});
