/**
 * The gRPC-web route under `npm start`, as a user runs it: the real npm, its own data folder and
 * port, a token from `npm run token`, and connect-es's gRPC-web client against the server.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../functions/http/grpc-web/gen/zitadel/message_pb.ts';
import { DEMO_ORG_ID } from '../infra/local/seed.ts';
import { decodeResponse, frame, managementClient, postRaw, readFrames, requestMessage } from './support/grpc-web.ts';
import { freePort } from './support/ports.ts';

const REPO = resolve(import.meta.dirname, '..');
const run = promisify(execFile);
/** Settings of the caller's shell that would switch the server away from its embedded defaults. */
const FOREIGN = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL', 'ZITADEL_ISSUER', 'ZITADEL_AUDIENCE', 'ZITADEL_JWKS_URI', 'ACTIONS_TABLE', 'ROLE_PERMISSIONS'];
const dataDir = mkdtempSync(join(tmpdir(), 'grpc-web-npm-start-'));
const env = (extra: Record<string, string>) => {
  const result: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of FOREIGN) delete result[name];
  return result;
};

let child: ChildProcess | undefined;
after(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child?.once('exit', done));
    process.kill(-child.pid, 'SIGINT');
    await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000).unref())]);
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` in its own process group; resolves with its output once it says how to stop it. */
function npmStart(port: number): Promise<string> {
  child = spawn('npm', ['start'], { cwd: REPO, env: env({ PORT: String(port), DATA_DIR: dataDir }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not come up:\n${output}`)), 20_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Stop with Ctrl\+C\.$/m.test(output)) {
        clearTimeout(timer);
        done(output);
      }
    };
    child?.stdout?.on('data', collect);
    child?.stderr?.on('data', collect);
    child?.once('exit', () => fail(new Error(`npm start exited:\n${output}`)));
  });
}

/** The one place this file gets a token: `npm run token`, as the README tells a user. */
async function ownerToken(org: string): Promise<string> {
  const { stdout } = await run('npm', ['run', '-s', 'token', '--', '--org', org, '--role', 'ORG_OWNER', '--ttl', '5m'], { cwd: REPO, env: env({ DATA_DIR: dataDir }) });
  return stdout.trim().split('\n').at(-1) ?? '';
}

test('npm start serves gRPC-web: connect-es’s client deactivates a seeded action, then gets NotActive; -text works too', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const output = await npmStart(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const actionId = /^curl .*\/actions\/([^/]+)\/_deactivate/m.exec(output)?.[1];
  assert.ok(actionId, output);
  const { stdout: listed } = await run('npm', ['run', '-s', 'actions', '--', 'list', '--org', DEMO_ORG_ID, '--json'], { cwd: REPO, env: env({ DATA_DIR: dataDir }) });
  const active = (JSON.parse(listed) as { id: string; state: string }[]).filter((a) => a.state === 'ACTIVE').map((a) => a.id);
  assert.ok(active.length >= 2 && active.includes(actionId), `${actionId} ${active.join(",")}`);
  const other = active.find((id) => id !== actionId) ?? '';

  const token = await ownerToken(DEMO_ORG_ID);
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

  const { stdout: after } = await run('npm', ['run', '-s', 'actions', '--', 'list', '--org', DEMO_ORG_ID, '--json'], { cwd: REPO, env: env({ DATA_DIR: dataDir }) });
  const inactive = (JSON.parse(after) as { id: string; state: string }[]).filter((a) => a.state === 'INACTIVE').map((a) => a.id).sort();
  assert.deepEqual(inactive, [actionId, other].sort(), 'both deactivations are stored, nothing else changed');
});
