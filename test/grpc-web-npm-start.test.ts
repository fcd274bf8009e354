/**
 * The gRPC-web route under `npm start`, as a user runs it: the real npm, its own data folder and
 * port, a token from `npm run token`, and connect-es's gRPC-web client against the server.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { DEMO_ORG_ID } from '../infra/local/seed.ts';
import { decodeResponse, frame, managementClient, postRaw, readFrames, requestMessage } from './support/grpc-web.ts';
import { startNpmStart, type LocalServer } from './support/npm-start.ts';

/** The one place this file gets a token: `npm run token`, as the README tells a user. */
async function ownerToken(server: LocalServer, org: string): Promise<string> {
  const { stdout } = await server.npmRun(['-s', 'token', '--', '--org', org, '--role', 'ORG_OWNER', '--ttl', '5m']);
  return stdout.trim().split('\n').at(-1) ?? '';
}

async function listed(server: LocalServer): Promise<{ id: string; state: string }[]> {
  const { stdout } = await server.npmRun(['-s', 'actions', '--', 'list', '--org', DEMO_ORG_ID, '--json']);
  return JSON.parse(stdout) as { id: string; state: string }[];
}

let server: LocalServer | undefined;
after(() => server?.stop());

test('npm start serves gRPC-web: connect-es’s client deactivates a seeded action, then gets NotActive; -text works too', { timeout: 60_000 }, async () => {
  server = await startNpmStart();
  const output = server.output();
  const baseUrl = server.url;
  const actionId = /^curl .*\/actions\/([^/]+)\/_deactivate/m.exec(output)?.[1];
  assert.ok(actionId, output);
  const active = (await listed(server)).filter((a) => a.state === 'ACTIVE').map((a) => a.id);
  assert.ok(active.length >= 2 && active.includes(actionId), `${actionId} ${active.join(",")}`);
  const other = active.find((id) => id !== actionId) ?? '';

  const token = await ownerToken(server, DEMO_ORG_ID);
  const client = managementClient(baseUrl);
  const headers = { authorization: `Bearer ${token}` };

  const { details } = await client.deactivateAction({ id: actionId }, { headers });
  assert.equal(details?.resourceOwner, DEMO_ORG_ID);
  assert.equal(details?.sequence, 3n, 'seeded at sequence 2, one more for the deactivation');
  // ZITADEL's details: creation_date is the time of this change (after the seeding), change_date unset.
  assert.ok(details?.creationDate);
  assert.equal(details.changeDate, undefined);
  assert.ok(Date.now() - timestampDate(details.creationDate).getTime() < 60_000);

  const again = await client.deactivateAction({ id: actionId }, { headers }).then(
    () => assert.fail('the second call succeeded'),
    (err: unknown) => err,
  );
  assert.ok(again instanceof ConnectError);
  assert.equal(again.code, Code.FailedPrecondition);
  assert.equal(again.rawMessage, 'Action is not active (COMMAND-Dgj92)');
  assert.deepEqual(again.findDetails(ErrorDetailSchema).map((d) => d.id), ['COMMAND-Dgj92']);

  const text = await postRaw(baseUrl, frame(0, requestMessage(other)).toString('base64'), { 'content-type': 'application/grpc-web-text', ...headers });
  assert.equal(text.status, 200);
  const frames = readFrames(Buffer.from(text.body.toString('latin1'), 'base64'));
  assert.equal(decodeResponse(frames[0]!.payload).details?.resourceOwner, DEMO_ORG_ID);

  const inactive = (await listed(server)).filter((a) => a.state === 'INACTIVE').map((a) => a.id).sort();
  assert.deepEqual(inactive, [actionId, other].sort(), 'both deactivations are stored, nothing else changed');
});
