/**
 * The local server's request body limit (MAX_BODY_BYTES): a larger body is API Gateway's 413 and
 * never reaches the function; a body of exactly the limit does. Real HTTP, the real handler.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createLocalServer, MAX_BODY_BYTES, type LambdaHandler } from '../../infra/local/server.ts';
import { putAction, TABLE, tableSnapshot } from '../support/dynamodb.ts';
import { orgClaims } from '../support/issuer.ts';
import { startWorld, type World } from '../support/setup.ts';

const ORG = '69629023906488334';
const PATH = (id: string) => `/management/v1/actions/${id}/_deactivate`;

let world: World;
let url: string;
let invocations = 0;
let close: () => Promise<void>;
before(async () => {
  world = await startWorld();
  const handler: LambdaHandler = (event, context) => {
    invocations++;
    return (world.handler as unknown as LambdaHandler)(event, context);
  };
  const server = createLocalServer({ handler: () => handler });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await world.close();
  };
});
after(() => close());

/** POSTs `body` in 64 KiB chunks, with a Content-Length or (`chunked`) without one. */
function post(path: string, body: Buffer, { chunked = false } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${world.issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }))}`,
      'content-type': 'application/json',
    };
    if (!chunked) headers['content-length'] = body.length;
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    // The server may answer and close before the whole body is sent: that is the point.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (let at = 0; at < body.length; at += 65_536) req.write(body.subarray(at, at + 65_536));
    req.end();
  });
}

/** A JSON object of exactly `bytes` bytes. */
const jsonOfSize = (bytes: number) => Buffer.from(`{"pad":"${'x'.repeat(bytes - 10)}"}`);

async function stateOf(id: string) {
  const { Item } = await world.dynamo.client.send(
    new GetItemCommand({ TableName: TABLE, Key: { resourceOwner: { S: ORG }, id: { S: id } }, ConsistentRead: true }),
  );
  return Item?.state?.S;
}

describe('the local server body limit', () => {
  test(`a body of exactly ${MAX_BODY_BYTES} bytes reaches the function: 200`, async () => {
    await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'at-limit' });
    const body = jsonOfSize(MAX_BODY_BYTES);
    assert.equal(body.length, MAX_BODY_BYTES);
    const before = invocations;
    const res = await post(PATH('at-limit'), body);
    assert.equal(res.status, 200, res.body);
    assert.equal(invocations, before + 1);
    assert.equal(await stateOf('at-limit'), 'INACTIVE');
  });

  for (const chunked of [false, true]) {
    test(`one byte more (${chunked ? 'chunked, no Content-Length' : 'Content-Length announced'}) is 413 and never reaches the function`, async () => {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: 'over-limit' });
      const snapshot = await tableSnapshot(world.dynamo.client);
      const before = invocations;
      const res = await post(PATH('over-limit'), jsonOfSize(MAX_BODY_BYTES + 1), { chunked });
      assert.equal(res.status, 413);
      assert.deepEqual(JSON.parse(res.body), { message: 'Request Entity Too Large' });
      assert.equal(invocations, before);
      assert.deepEqual(await tableSnapshot(world.dynamo.client), snapshot);
    });
  }
});
