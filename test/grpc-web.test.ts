/**
 * The gRPC-web route end to end over real HTTP: the local API-Gateway-shaped server with the
 * production handler, dynalite, a loopback issuer with real keys, and connect-es's gRPC-web
 * client. (`npm start` itself is exercised in test/grpc-web-npm-start.test.ts.)
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { createLocalServer } from '../infra/local/server.ts';
import { putAction, tableSnapshot } from './support/dynamodb.ts';
import {
  decodeResponse,
  frame,
  managementClient,
  postRaw,
  readFrames,
  requestMessage,
  statusDetails,
  type ManagementClient,
} from './support/grpc-web.ts';
import { generateSigningKey, orgClaims, signJwt } from './support/issuer.ts';
import { NOW, startWorld, type World } from './support/setup.ts';

const ORG_A = '69629023906488334';
const ORG_B = '71111111111111111';
const ACTION = '69629023906488999';

let world: World;
let server: Server;
let baseUrl: string;
let client: ManagementClient;

before(async () => {
  world = await startWorld();
  server = createLocalServer({ handler: () => world.handler });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = managementClient(baseUrl);
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await world.close();
});

/** The one place tokens are minted (a ZITADEL access token of an ORG_OWNER of `org`). */
const ownerOf = (org: string, ownedOrgs: string[] = [org]) => world.issuer.token(orgClaims(org, { ORG_OWNER: ownedOrgs }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function stored(org: string, id: string) {
  const { Item } = await world.dynamo.client.send(
    new GetItemCommand({ TableName: 'actions', Key: { resourceOwner: { S: org }, id: { S: id } }, ConsistentRead: true }),
  );
  return Item;
}

/**
 * Calls through the real client expecting a ConnectError: code, message, ZITADEL's ErrorDetail
 * (from grpc-status-details-bin, decoded by the client), and an unchanged table.
 */
async function expectGrpcError(
  call: () => Promise<unknown>,
  expected: { code: Code; id: string; key: string },
) {
  // `key` is the message text; ZITADEL's one error without id (no Authorization) has no detail.
  const before = await tableSnapshot(world.dynamo.client);
  const error = await call().then(
    () => assert.fail('the call succeeded'),
    (err: unknown) => err,
  );
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.code, expected.code);
  assert.equal(error.rawMessage, expected.id === '' ? expected.key : `${expected.key} (${expected.id})`, 'the JSON route’s message text');
  assert.deepEqual(
    error.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message })),
    expected.id === '' ? [] : [{ id: expected.id, message: expected.key }],
  );
  assert.deepEqual(await tableSnapshot(world.dynamo.client), before, 'nothing written');
  return error;
}

describe('gRPC-web: DeactivateAction with connect-es’s gRPC-web client', () => {
  beforeEach(async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: ACTION, sequence: 1 });
    await putAction(world.dynamo.client, { resourceOwner: ORG_B, id: ACTION, sequence: 7 });
  });

  test('success: ObjectDetails decoded by the client, the action stored INACTIVE', async () => {
    const response = await client.deactivateAction({ id: ACTION }, { headers: bearer(ownerOf(ORG_A)) });
    const details = response.details;
    assert.ok(details);
    assert.equal(details.sequence, 2n);
    assert.equal(details.resourceOwner, ORG_A);
    // ZITADEL: creation_date is this change's event date; change_date is never set (field absent).
    assert.ok(details.creationDate);
    assert.equal(timestampDate(details.creationDate).toISOString(), NOW.toISOString());
    assert.equal(details.changeDate, undefined);

    const item = await stored(ORG_A, ACTION);
    assert.equal(item?.state?.S, 'INACTIVE');
    assert.equal(item?.sequence?.N, '2');
    assert.equal((await stored(ORG_B, ACTION))?.state?.S, 'ACTIVE', 'the same id elsewhere is untouched');
  });

  test('the success response on the wire: 200, one data frame, a trailer frame with grpc-status 0', async () => {
    const res = await postRaw(baseUrl, frame(0, requestMessage(ACTION)), {
      'content-type': 'application/grpc-web+proto',
      ...bearer(ownerOf(ORG_A)),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/grpc-web+proto');
    const frames = readFrames(res.body);
    assert.deepEqual(frames.map((f) => f.flag), [0x00, 0x80]);
    assert.equal(decodeResponse(frames[0]!.payload).details?.sequence, 2n);
    assert.equal(frames[1]!.payload.toString('latin1'), 'grpc-status:0\r\ngrpc-message:\r\n');
  });

  test('NotActive: the second call is FailedPrecondition with COMMAND-Dgj92', async () => {
    const token = ownerOf(ORG_A);
    await client.deactivateAction({ id: ACTION }, { headers: bearer(token) });
    await expectGrpcError(() => client.deactivateAction({ id: ACTION }, { headers: bearer(token) }), {
      code: Code.FailedPrecondition,
      id: 'COMMAND-Dgj92',
      key: 'Action is not active',
    });
    assert.equal((await stored(ORG_A, ACTION))?.sequence?.N, '2');
  });

  test('NotFound: an unknown id', async () => {
    await expectGrpcError(() => client.deactivateAction({ id: '12345' }, { headers: bearer(ownerOf(ORG_A)) }), {
      code: Code.NotFound,
      id: 'COMMAND-NRmhu',
      key: 'Action not found',
    });
  });

  test('an empty id is ZITADEL’s IDMissing (InvalidArgument)', async () => {
    await expectGrpcError(() => client.deactivateAction({ id: '' }, { headers: bearer(ownerOf(ORG_A)) }), {
      code: Code.InvalidArgument,
      id: 'COMMAND-DAhk5',
      key: 'ID missing',
    });
  });

  test('a forged token (signed by a key the issuer never published) is Unauthenticated', async () => {
    const forger = generateSigningKey('rsa-1', 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const forged = signJwt(forger, {
      iss: world.issuer.url,
      aud: [world.config.audience[0]],
      sub: 'user-1',
      iat: now,
      exp: now + 3600,
      ...orgClaims(ORG_A, { ORG_OWNER: [ORG_A] }),
    });
    await expectGrpcError(() => client.deactivateAction({ id: ACTION }, { headers: bearer(forged) }), {
      code: Code.Unauthenticated,
      id: 'AUTH-7fs1e',
      key: 'Errors.Token.Invalid',
    });
    await expectGrpcError(() => client.deactivateAction({ id: ACTION }), {
      code: Code.Unauthenticated,
      id: '',
      key: 'auth header missing',
    });
  });

  test('x-zitadel-orgid metadata: another organisation without permission is PermissionDenied; with it, that organisation’s action', async () => {
    await expectGrpcError(
      () => client.deactivateAction({ id: ACTION }, { headers: { ...bearer(ownerOf(ORG_A)), 'x-zitadel-orgid': ORG_B } }),
      { code: Code.PermissionDenied, id: 'AUTH-5mWD2', key: 'No matching permissions found' },
    );
    const inB = await client.deactivateAction(
      { id: ACTION },
      { headers: { ...bearer(ownerOf(ORG_A, [ORG_A, ORG_B])), 'x-zitadel-orgid': ORG_B } },
    );
    assert.equal(inB.details?.resourceOwner, ORG_B);
    assert.equal(inB.details?.sequence, 8n);
    assert.equal((await stored(ORG_B, ACTION))?.state?.S, 'INACTIVE');
    assert.equal((await stored(ORG_A, ACTION))?.state?.S, 'ACTIVE');
  });

  test('concurrency: 8 simultaneous calls on one action, exactly one succeeds, the rest are NotActive', async () => {
    const token = ownerOf(ORG_A);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => client.deactivateAction({ id: ACTION }, { headers: bearer(token) })),
    );
    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as ConnectError).code] : []));
    assert.equal(succeeded.length, 1);
    assert.deepEqual(codes, Array(7).fill(Code.FailedPrecondition));
    assert.equal((await stored(ORG_A, ACTION))?.sequence?.N, '2', 'written once');
  });
});

describe('gRPC-web on the wire: -text, trailers-only errors, malformed requests', () => {
  beforeEach(async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG_A, id: ACTION, sequence: 1 });
  });

  test('application/grpc-web-text: base64 request, base64 response with data and trailer frames', async () => {
    const body = frame(0, requestMessage(ACTION)).toString('base64');
    const res = await postRaw(baseUrl, body, { 'content-type': 'application/grpc-web-text', ...bearer(ownerOf(ORG_A)) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/grpc-web-text+proto');
    const frames = readFrames(Buffer.from(res.body.toString('latin1'), 'base64'));
    assert.deepEqual(frames.map((f) => f.flag), [0x00, 0x80]);
    const details = decodeResponse(frames[0]!.payload).details;
    assert.equal(details?.resourceOwner, ORG_A);
    assert.equal(details?.sequence, 2n);
    assert.match(frames[1]!.payload.toString('latin1'), /^grpc-status:0\r\n/);
    assert.equal((await stored(ORG_A, ACTION))?.state?.S, 'INACTIVE');
  });

  test('an error is trailers-only: HTTP 200, grpc-status, percent-encoded grpc-message, google.rpc.Status with ZITADEL’s ErrorDetail', async () => {
    const res = await postRaw(baseUrl, frame(0, requestMessage('12345')), {
      'content-type': 'application/grpc-web+proto',
      ...bearer(ownerOf(ORG_A)),
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 0);
    assert.equal(res.headers.get('grpc-status'), '5');
    assert.equal(res.headers.get('grpc-message'), 'Action not found (COMMAND-NRmhu)');
    assert.deepEqual(statusDetails(res.headers.get('grpc-status-details-bin')), {
      code: 5,
      message: 'Action not found (COMMAND-NRmhu)',
      details: [{ typeUrl: 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'COMMAND-NRmhu', message: 'Action not found' }],
    });
  });

  const malformed: [string, Buffer | string, string][] = [
    ['no frame at all', Buffer.alloc(0), 'application/grpc-web+proto'],
    ['a frame shorter than its declared length', frame(0, requestMessage(ACTION)).subarray(0, 8), 'application/grpc-web'],
    ['a declared length of 4 GiB', Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]), 'application/grpc-web+proto'],
    ['a compressed frame (flag 0x01)', frame(1, requestMessage(ACTION)), 'application/grpc-web+proto'],
    ['a trailer frame instead of a message', frame(0x80, Buffer.from('grpc-status:0\r\n')), 'application/grpc-web+proto'],
    ['two data frames', Buffer.concat([frame(0, requestMessage(ACTION)), frame(0, requestMessage(ACTION))]), 'application/grpc-web+proto'],
    ['-text that is not base64', '!!!not base64!!!', 'application/grpc-web-text'],
  ];
  for (const [name, body, contentType] of malformed) {
    test(`malformed frame (${name}): InvalidArgument REQUEST-GwFrm, HTTP 200, nothing written`, async () => {
      const before = await tableSnapshot(world.dynamo.client);
      const res = await postRaw(baseUrl, body, { 'content-type': contentType, ...bearer(ownerOf(ORG_A)) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('grpc-status'), '3');
      assert.equal(res.headers.get('grpc-message'), 'Errors.Request.GrpcWebFrameMalformed (REQUEST-GwFrm)');
      assert.equal(statusDetails(res.headers.get('grpc-status-details-bin')).details[0]?.id, 'REQUEST-GwFrm');
      assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
    });
  }

  // grpc-go's codec error (server.go: `status.Errorf(codes.Internal, "grpc: error unmarshalling request: %v", err)`)
  // with protobuf-go's texts; the message is decoded before the interceptors, so even without a token.
  const badMessages: [string, Buffer, string][] = [
    ['a truncated field', Buffer.from([0x0a, 0x10, 0x31]), 'proto: cannot parse invalid wire-format data'],
    ['field number 0', Buffer.from([0x02, 0x00]), 'proto: cannot parse invalid wire-format data'],
    ['id that is not UTF-8', Buffer.from([0x0a, 0x02, 0xc3, 0x28]), 'string field contains invalid UTF-8'],
    // protobuf-go checks every occurrence of `id` as it reads it, not only the last one kept, and stops there.
    ['an id that is not UTF-8, then a valid id', Buffer.from([0x0a, 0x02, 0xc3, 0x28, 0x0a, 0x01, 0x31]), 'string field contains invalid UTF-8'],
    ['an id that is not UTF-8, then a truncated field', Buffer.from([0x0a, 0x02, 0xc3, 0x28, 0x0a, 0x10, 0x31]), 'string field contains invalid UTF-8'],
  ];
  for (const [name, message, reason] of badMessages) {
    for (const [who, headers] of [['with a valid token', () => bearer(ownerOf(ORG_A))], ['without a token', () => ({})]] as const) {
      test(`malformed message (${name}, ${who}): grpc-go's Internal "grpc: error unmarshalling request", no details, nothing written`, async () => {
        const before = await tableSnapshot(world.dynamo.client);
        const res = await postRaw(baseUrl, frame(0, message), { 'content-type': 'application/grpc-web+proto', ...headers() });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('grpc-status'), '13');
        assert.equal(res.headers.get('grpc-message'), `grpc: error unmarshalling request: ${reason}`);
        assert.equal(res.headers.get('grpc-status-details-bin'), null, 'grpc-go sends no details for a status without any');
        assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
      });
    }
  }

  test('id with another wire type is an unknown field to protobuf-go: the id is empty, ZITADEL’s ID missing', async () => {
    const before = await tableSnapshot(world.dynamo.client);
    const res = await postRaw(baseUrl, frame(0, Buffer.from([0x08, 0x01])), { 'content-type': 'application/grpc-web+proto', ...bearer(ownerOf(ORG_A)) });
    assert.equal(res.headers.get('grpc-status'), '3');
    assert.equal(res.headers.get('grpc-message'), 'ID missing (COMMAND-DAhk5)');
    assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
  });

  test('no Authorization: a status without details, so no grpc-status-details-bin', async () => {
    const res = await postRaw(baseUrl, frame(0, requestMessage(ACTION)), { 'content-type': 'application/grpc-web+proto' });
    assert.equal(res.headers.get('grpc-status'), '16');
    assert.equal(res.headers.get('grpc-message'), 'auth header missing');
    assert.equal(res.headers.get('grpc-status-details-bin'), null);
    assert.equal(res.headers.get('www-authenticate'), null, 'grpc-gateway’s header is the JSON route’s only');
  });

  test('unknown fields in the request are skipped, as proto3 parsers do', async () => {
    const withUnknown = Buffer.concat([Buffer.from([0x10, 0x07]), requestMessage(ACTION)]);
    const res = await postRaw(baseUrl, frame(0, withUnknown), { 'content-type': 'application/grpc-web+proto', ...bearer(ownerOf(ORG_A)) });
    assert.equal(res.status, 200);
    assert.equal(decodeResponse(readFrames(res.body)[0]!.payload).details?.sequence, 2n);
  });

  test('a content type that is not gRPC-web is 415 and runs nothing', async () => {
    const before = await tableSnapshot(world.dynamo.client);
    for (const contentType of ['application/grpc', 'application/grpc-web+json', 'application/json']) {
      const res = await postRaw(baseUrl, frame(0, requestMessage(ACTION)), { 'content-type': contentType, ...bearer(ownerOf(ORG_A)) });
      assert.equal(res.status, 415, contentType);
      assert.equal(res.headers.get('grpc-status'), null);
    }
    assert.deepEqual(await tableSnapshot(world.dynamo.client), before);
  });

  test('the JSON route is unchanged beside it', async () => {
    const res = await fetch(`${baseUrl}/management/v1/actions/${ACTION}/_deactivate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ownerOf(ORG_A)) },
      body: '{}',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      details: { sequence: '2', creationDate: NOW.toISOString(), resourceOwner: ORG_A },
    });
  });
});

describe('gRPC-web in the logs', () => {
  test('one line per call with the action id and the error id, never the token or the message bytes', async () => {
    const logged = new StdoutCapture();
    const logWorld = await startWorld({}, { logger: new Logger({ serviceName: 'deactivate-action' }) });
    const logServer = createLocalServer({ handler: () => logWorld.handler });
    await new Promise<void>((resolve) => logServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(logServer.address() as AddressInfo).port}`;
    try {
      await putAction(logWorld.dynamo.client, { resourceOwner: ORG_A, id: ACTION, sequence: 1 });
      const token = logWorld.issuer.token(orgClaims(ORG_A, { ORG_OWNER: [ORG_A] }));
      const logClient = managementClient(url);
      logged.start();
      await logClient.deactivateAction({ id: ACTION }, { headers: bearer(token) });
      await logClient.deactivateAction({ id: ACTION }, { headers: bearer(token) }).catch(() => undefined);
      await postRaw(url, frame(0, Buffer.from([0x0a, 0x10, 0x31])), { 'content-type': 'application/grpc-web+proto', ...bearer(token) });
      logged.stop();

      const records = logged.lines.map((line) => JSON.parse(line));
      assert.deepEqual(
        records.map((r) => [r.outcome, r.actionId, r.errorId]),
        [
          ['deactivated', ACTION, undefined],
          ['rejected', ACTION, 'COMMAND-Dgj92'],
          ['rejected', undefined, undefined], // grpc-go's codec error has no id
        ],
      );
      assert.equal(records[2].status, 500);
      const all = logged.lines.join('\n');
      assert.ok(!all.includes(token.split('.')[2]!), 'no token in the logs');
      assert.ok(!all.includes(frame(0, requestMessage(ACTION)).toString('base64')), 'no request body in the logs');
    } finally {
      logged.stop();
      logServer.closeAllConnections();
      await new Promise<void>((resolve) => logServer.close(() => resolve()));
      await logWorld.close();
    }
  });
});

/** Captures what the production logger writes to stdout (as Lambda would ship it) while started. */
class StdoutCapture {
  readonly lines: string[] = [];
  #original: typeof process.stdout.write | undefined;
  start() {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be put back as it was, never called unbound
    this.#original = process.stdout.write;
    const original = this.#original;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      if (text.startsWith('{')) {
        this.lines.push(...text.split('\n').filter((l) => l !== ''));
        return true;
      }
      return (original as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    });
  }
  stop() {
    if (this.#original !== undefined) process.stdout.write = this.#original;
    this.#original = undefined;
  }
}
