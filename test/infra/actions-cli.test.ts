/**
 * `npm run actions` against a deployed table: `node_modules/.bin/node --test test/infra/actions-cli.test.ts`
 *
 * The CLI runs as a child process with a controlled environment (its own AWS config and
 * credentials files, no instance metadata lookups). "AWS" is a real DynamoDB-compatible server
 * (dynalite) behind a recording HTTP proxy on loopback, reached through the SDK's standard
 * AWS_ENDPOINT_URL_DYNAMODB setting, so the test sees the SigV4 credential scope the CLI signed
 * with and what was stored, and no request ever leaves the machine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { putNewAction } from '../../infra/local/action-records.ts';
import { ensureActionsTable } from '../../infra/local/embedded-dynamodb.ts';
import { projectRoot } from '../../infra/function-bundle.ts';
import { COMPILE_CACHE } from '../support/compile-cache.ts';

const TABLE = 'ZitadelDeactivateAction-dev-ServiceActionsTable-1A2B3C';
const ORG = '300000000000000100';

interface Recorded {
  authorization: string;
  target: string;
}

describe('actions CLI against a deployed table', () => {
  let store: Server;
  let proxy: Server;
  let proxyUrl: string;
  let client: DynamoDBClient;
  let home: string;
  const seen: Recorded[] = [];

  before(async () => {
    store = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
    const storeUrl = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
    client = new DynamoDBClient({ endpoint: storeUrl, region: 'eu-central-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
    await ensureActionsTable(client, TABLE);
    // Records each request's signature scope, then forwards it unchanged.
    proxy = createServer((req, res) => {
      seen.push({ authorization: req.headers.authorization ?? '', target: String(req.headers['x-amz-target'] ?? '') });
      const upstream = request(`${storeUrl}${req.url}`, { method: req.method, headers: req.headers }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    home = mkdtempSync(path.join(os.tmpdir(), 'actions-cli-aws-'));
    writeFileSync(path.join(home, 'config'), '[profile deployer]\nregion = eu-central-1\n\n[profile no-region]\n');
    writeFileSync(
      path.join(home, 'credentials'),
      '[deployer]\naws_access_key_id = AKIDDEPLOYERPROFILE\naws_secret_access_key = secret-of-the-profile\n\n' +
        '[no-region]\naws_access_key_id = AKIDNOREGION\naws_secret_access_key = other-secret\n',
    );
    writeFileSync(path.join(home, 'empty'), '');
  });

  beforeEach(() => {
    seen.length = 0;
  });

  after(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    await new Promise<void>((resolve) => store?.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  /** Runs the CLI with only the environment given here (plus PATH). */
  function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(projectRoot, 'node_modules/.bin/node'), [path.join(projectRoot, 'infra/local/actions-cli.ts'), ...args], {
        cwd: projectRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          DATA_DIR: path.join(home, 'no-server'),
          AWS_ENDPOINT_URL_DYNAMODB: proxyUrl,
          AWS_CONFIG_FILE: path.join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
          // The credential chain would otherwise ask the EC2 instance metadata service (not loopback).
          AWS_EC2_METADATA_DISABLED: 'true',
          ...COMPILE_CACHE,
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function storedIds(): Promise<string[]> {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
    return Items.map((item) => item.id?.S ?? '').sort();
  }

  test('--table with --profile: signs with the profile credentials and region, and the action is stored ACTIVE', async () => {
    const run = await cli(['create', '--org', ORG, '--id', '4001', '--name', 'fromProfile', '--table', TABLE, '--profile', 'deployer']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Created action 4001 \\("fromProfile"\\) in organisation ${ORG}, ACTIVE \\(table ${TABLE} on AWS\\)`));
    const puts = seen.filter((r) => r.target === 'DynamoDB_20120810.PutItem');
    assert.equal(puts.length, 1);
    assert.match(puts[0]!.authorization, /Credential=AKIDDEPLOYERPROFILE\/\d{8}\/eu-central-1\/dynamodb\/aws4_request/);
    assert.ok((await storedIds()).includes('4001'));

    const list = await cli(['list', '--org', ORG, '--json', '--table', TABLE, '--profile', 'deployer']);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as { id: string; state: string; sequence: number; resourceOwner: string }[];
    assert.deepEqual(
      listed.filter((a) => a.id === '4001').map(({ id, state, sequence, resourceOwner }) => ({ id, state, sequence, resourceOwner })),
      [{ id: '4001', state: 'ACTIVE', sequence: 1, resourceOwner: ORG }],
    );
  });

  test('--table with --region and credentials in the environment: the standard chain, that region', async () => {
    const run = await cli(['create', '--org', ORG, '--id', '4002', '--table', TABLE, '--region', 'us-west-2'], {
      AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(seen.find((r) => r.target.endsWith('PutItem'))?.authorization ?? '', /Credential=AKIDFROMENVIRONMENT\/\d{8}\/us-west-2\//);
    assert.ok((await storedIds()).includes('4002'));
  });

  test('--table without any credentials: a clear error, no dummy credentials, not a single request', async () => {
    const run = await cli(['create', '--org', ORG, '--id', '4003', '--table', TABLE, '--region', 'eu-central-1'], {
      AWS_CONFIG_FILE: path.join(home, 'empty'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'empty'),
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No AWS credentials found: log in \(aws sso login\), pass --profile/);
    assert.deepEqual(seen, []);
    assert.ok(!(await storedIds()).includes('4003'));
  });

  test('--table without a region anywhere: a clear error and no request', async () => {
    const run = await cli(['create', '--org', ORG, '--id', '4004', '--table', TABLE, '--profile', 'no-region']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No AWS region: pass --region/);
    assert.deepEqual(seen, []);
  });

  test('ids the API could never address (or ZITADEL never gives) are refused before anything is sent (the domain rule idProblem)', async () => {
    const cases: [string[], RegExp][] = [
      [['--id', 'a/b'], /--id contains a control character or "\/".*never address it/],
      [['--id', 'x'.repeat(201)], /--id is longer than 200 characters.*max_len 200/],
      [['--id', 'tab\there'], /never address it/],
    ];
    for (const [extra, message] of cases) {
      const run = await cli(['create', '--org', ORG, ...extra, '--table', TABLE, '--profile', 'deployer']);
      assert.equal(run.code, 2, `${extra.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    assert.deepEqual(seen, [], 'no request for a refused id');
    const org = await cli(['create', '--org', `${ORG}\n`, '--id', '4005', '--table', TABLE, '--profile', 'deployer']);
    // A trailing newline is trimmed like any surrounding space; an inner one is refused.
    assert.equal(org.code, 0, org.stderr);
    const badOrg = await cli(['create', '--org', `30\u0001x`, '--id', '4006', '--table', TABLE, '--profile', 'deployer']);
    assert.equal(badOrg.code, 2);
    assert.match(badOrg.stderr, /--org contains a control character/);
    // Exactly 200 characters is still an id the API accepts.
    const longest = await cli(['create', '--org', ORG, '--id', '9'.repeat(200), '--table', TABLE, '--profile', 'deployer']);
    assert.equal(longest.code, 0, longest.stderr);
    const ids = await storedIds();
    assert.ok(ids.includes('9'.repeat(200)));
    assert.ok(!ids.some((id) => id.includes('/') || id.length > 200 || id === '4006'));
  });

  test('only --region without a table name asks for --table', async () => {
    const run = await cli(['list', '--region', 'eu-central-1']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /pass --table <TableName> \(the stack output TableName\)/);
    assert.deepEqual(seen, []);
  });

  test('list | head -1: the closed pipe ends the CLI quietly with exit code 0 (no `write EPIPE`, no stack)', async () => {
    // Far more than a pipe's 64 KiB buffer, so the CLI is still writing when head exits.
    const org = '300000000000000900';
    for (let i = 0; i < 60; i++) {
      await putNewAction(client, TABLE, {
        resourceOwner: org, id: String(5000 + i), name: `longName${'x'.repeat(4000)}${i}`, script: 'function a(ctx, api) {}', timeout: '10s',
        allowedToFail: false, state: 'ACTIVE', sequence: 1, creationDate: '2026-11-30T00:00:00.000Z', changeDate: '2026-11-30T00:00:00.000Z',
      });
    }
    const command = `set -o pipefail; "${path.join(projectRoot, 'node_modules/.bin/node')}" infra/local/actions-cli.ts list --org ${org} | head -1`;
    const child = spawn('bash', ['-c', command], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: home, DATA_DIR: path.join(home, 'no-server'), AWS_ENDPOINT_URL_DYNAMODB: proxyUrl, ACTIONS_TABLE: TABLE,
        AWS_CONFIG_FILE: path.join(home, 'empty'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'empty'), AWS_EC2_METADATA_DISABLED: 'true', ...COMPILE_CACHE },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0, 'pipefail: the CLI itself exited 0');
    assert.match(stdout, /^ORGANISATION +ID +STATE +SEQUENCE +NAME +CHANGED\n$/);
  });

  test('a loopback AWS_ENDPOINT_URL_DYNAMODB without credentials still works with local dummies', async () => {
    const run = await cli(['create', '--org', ORG, '--id', '4007'], {
      ACTIONS_TABLE: TABLE,
      AWS_CONFIG_FILE: path.join(home, 'empty'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'empty'),
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(seen.find((r) => r.target.endsWith('PutItem'))?.authorization ?? '', /Credential=local\//);
    assert.ok((await storedIds()).includes('4007'));
  });
});
