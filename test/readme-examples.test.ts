/**
 * Every snippet of the README runs as written:
 *  - each ```ts block is an example file, byte for byte: its first line `// examples/<name>.ts` names
 *    the file (type-checked and linted with the rest), and a ```ts block without it fails here;
 *  - the gRPC-web example runs against `npm start` (its demo defaults) and deactivates an action;
 *  - the CDK example synthesizes a stack with the construct;
 *  - every `curl` in a ```sh block is run by bash and the real curl against `npm start`, with only
 *    its placeholders filled in (host, `<id>`, `<token>`, the example ids; `$TOKEN`, `$PAT`,
 *    `$ACTION_ID`, `$ORG_ID` from the environment), and must deactivate an action.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEMO_ORG_ID } from '../infra/local/seed.ts';
import { cleanEnv, startNpmStart, type LocalServer } from './support/npm-start.ts';

const REPO = resolve(import.meta.dirname, '..');
const NODE = join(REPO, 'node_modules/.bin/node');
const run = promisify(execFile);

interface Block {
  readonly lang: string;
  readonly body: string;
  readonly line: number;
}

/** The fenced code blocks of a Markdown text, with their language and the line they start on. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    blocks.push({ lang: open[1] ?? '', body: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

const EXAMPLE_HEADER = /^\/\/ (examples\/[\w.-]+\.ts)$/;
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

/** What a TypeScript block must be: the example file it names, byte for byte. */
function checkTypeScriptBlock(block: Block): string | undefined {
  const first = block.body.split('\n', 1)[0] ?? '';
  const named = EXAMPLE_HEADER.exec(first)?.[1];
  if (named === undefined) return `README.md:${block.line}: a \`\`\`${block.lang} block must start with "// examples/<name>.ts" and be that file`;
  const path = join(REPO, named);
  if (!existsSync(path)) return `README.md:${block.line}: ${named} does not exist`;
  if (readFileSync(path, 'utf8') !== `${block.body}\n`) return `README.md:${block.line}: the block differs from ${named}`;
  return undefined;
}

describe('README snippets', () => {
  test('every ```ts block is an examples/ file, byte for byte; a block without the header or differing from its file is refused', () => {
    const typescript = codeBlocks(readme).filter((b) => ['ts', 'typescript', 'tsx'].includes(b.lang));
    assert.ok(typescript.length >= 2, 'the gRPC-web and CDK examples at least');
    assert.deepEqual(typescript.map(checkTypeScriptBlock).filter(Boolean), []);
    // The check itself, on blocks that break the convention.
    assert.match(checkTypeScriptBlock({ lang: 'ts', body: "const token = '';", line: 1 }) ?? '', /must start with "\/\/ examples\/<name>\.ts"/);
    assert.match(checkTypeScriptBlock({ lang: 'typescript', body: '// examples/nowhere.ts', line: 1 }) ?? '', /examples\/nowhere\.ts does not exist/);
    const grpc = typescript.find((b) => b.body.startsWith('// examples/grpc-web.ts'));
    assert.ok(grpc);
    assert.match(checkTypeScriptBlock({ ...grpc, body: `${grpc.body} ` }) ?? '', /differs from examples\/grpc-web\.ts/);
  });

  test('the CDK example synthesizes a stack with the function, both routes and the outputs', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk-example-'));
    try {
      // CDK_VALIDATION=false: CDK's built-in CloudFormation check (warnings only, ~2 s of CPU) is not what this reads.
      await run(NODE, ['examples/cdk-app.ts'], { cwd: REPO, env: { ...cleanEnv({ CDK_OUTDIR: out, CDK_VALIDATION: 'false' }) }, timeout: 110_000 });
      const template = JSON.parse(readFileSync(join(out, 'MyZitadelActions.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
        Outputs: Record<string, unknown>;
      };
      const resources = Object.values(template.Resources);
      const routes = resources.filter((r) => r.Type === 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey).sort();
      assert.deepEqual(routes, ['POST /management/v1/actions/{id}/_deactivate', 'POST /zitadel.management.v1.ManagementService/DeactivateAction']);
      const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.ZITADEL_ISSUER !== undefined);
      assert.equal(fn?.Properties.Environment.Variables.ZITADEL_ISSUER, 'https://my-instance.zitadel.cloud');
      assert.ok(resources.some((r) => r.Type === 'AWS::SNS::Topic'));
      assert.deepEqual(Object.keys(template.Outputs).sort(), ['ApiUrl', 'TableName']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('README snippets against npm start', { timeout: 120_000 }, () => {
  let server: LocalServer;
  let token: string;
  let made = 0;
  before(async () => {
    server = await startNpmStart();
    token = (await server.npmRun(['-s', 'token'])).stdout.trim();
  });
  after(async () => {
    await server.stop();
  });

  /** A new ACTIVE action of the demo organisation, made as the README says. */
  const newAction = async () => {
    const id = `3100000000000010${String(made++).padStart(2, '0')}`;
    const created = await server.npmRun(['-s', 'actions', '--', 'create', '--org', DEMO_ORG_ID, '--id', id]);
    assert.equal(created.code, 0, created.stderr);
    return id;
  };
  const stateOf = async (id: string) => {
    const listed = JSON.parse((await server.npmRun(['-s', 'actions', '--', 'list', '--org', DEMO_ORG_ID, '--json'])).stdout) as { id: string; state: string }[];
    return listed.find((a) => a.id === id)?.state;
  };

  test('examples/grpc-web.ts deactivates an action with the demo defaults, then reports ZITADEL\'s NotActive', async () => {
    const id = await newAction();
    const example = (extra: Record<string, string>) =>
      run(NODE, ['examples/grpc-web.ts'], { cwd: REPO, env: cleanEnv(extra) }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (err: unknown) => ({ code: (err as { code: number }).code, stdout: (err as { stdout: string }).stdout, stderr: (err as { stderr: string }).stderr }),
      );
    const first = await example({ TOKEN: token, ACTION_ID: id, API_URL: server.url });
    assert.deepEqual(first, { code: 0, stdout: `Deactivated ${id} in ${DEMO_ORG_ID}, sequence 2\n`, stderr: '' });
    assert.equal(await stateOf(id), 'INACTIVE');
    const again = await example({ TOKEN: token, ACTION_ID: id, API_URL: server.url });
    assert.deepEqual(again, { code: 1, stdout: '', stderr: 'FailedPrecondition (9): Action is not active (COMMAND-Dgj92) [COMMAND-Dgj92]\n' });
    const missing = await example({ API_URL: server.url });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^Set TOKEN and ACTION_ID/);
  });

  test('every curl of the README deactivates an action of npm start, with only its placeholders filled in', async () => {
    const curls = codeBlocks(readme)
      .filter((b) => b.lang === 'sh')
      .flatMap((b) => b.body.replace(/\\\n\s*/g, '').split('\n'))
      .filter((line) => line.startsWith('curl '));
    assert.ok(curls.length >= 3, curls.join('\n'));
    for (const curl of curls) {
      const id = await newAction();
      const command = curl
        .replace(/(['"])https?:\/\/[^/'"]+\//, `$1${server.url}/`)
        .replaceAll('<id>', id)
        .replaceAll('69629023906488999', id)
        .replaceAll('<token>', token)
        .replaceAll('69629023906488334', DEMO_ORG_ID);
      const { stdout } = await run('bash', ['-c', `${command} --silent --show-error --write-out '\\n%{http_code}'`], {
        env: cleanEnv({ TOKEN: token, PAT: token, ACTION_ID: id, ORG_ID: DEMO_ORG_ID }),
      });
      const at = stdout.lastIndexOf('\n');
      assert.equal(stdout.slice(at + 1), '200', `${curl}\n${stdout}`);
      assert.equal((JSON.parse(stdout.slice(0, at)) as { details: { resourceOwner: string } }).details.resourceOwner, DEMO_ORG_ID, curl);
      assert.equal(await stateOf(id), 'INACTIVE', curl);
    }
  });
});
