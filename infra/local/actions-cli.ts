/**
 * `npm run actions -- create --org <orgId> [--name ..] [--id ..]` and `npm run actions -- list --org <orgId>`:
 * add and inspect actions in the local server's table (through its DynamoDB endpoint, never its
 * data folder), at AWS_ENDPOINT_URL_DYNAMODB, or in a deployed table (`--table`, with the standard
 * AWS credential chain and region: see infra/local/actions-target.ts).
 */
import { parseArgs } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { idProblem } from '../../functions/domain/deactivate-action.ts';
import { listActions, newZitadelId, putNewAction, type ActionRecord } from './action-records.ts';
import { clientFor, describeTarget, resolveTarget, TargetError, type Target } from './actions-target.ts';
import { exitQuietlyWhenStdoutCloses } from './closed-stdout.ts';
import { deactivateCurl, shellQuote } from './curl-command.ts';
import { createDevZitadel } from './dev-zitadel/index.ts';
import { orgOwnerToken } from './dev-zitadel/org-owner-token.ts';
import { resolveDataDir, runningServer } from './local-state.ts';

const USAGE = `Usage:
  npm run actions -- create --org <orgId> [--id <id>] [--name <name>] [--script <js>] [--timeout 10s] [--allowed-to-fail]
  npm run actions -- list [--org <orgId>] [--json]
Target (default: the running local server of npm start, or AWS_ENDPOINT_URL_DYNAMODB if set):
  --table <TableName>   a deployed table (the stack output TableName); AWS credentials and region
  --region <region>     come from the standard chain: environment, --profile/AWS_PROFILE, SSO, ...
  --profile <name>
Honours DATA_DIR (the server's data folder) and ACTIONS_TABLE.`;

class CliError extends Error {
  override name = 'CliError';
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        id: { type: 'string' },
        name: { type: 'string' },
        script: { type: 'string' },
        timeout: { type: 'string', default: '10s' },
        'allowed-to-fail': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        table: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) return usage(`unexpected arguments: ${extra.join(' ')}`);
  const org = values.org?.trim() || undefined;
  // The rules the API enforces on ids (functions/domain): an action it could never address is refused here.
  const orgProblem = org === undefined ? null : idProblem(org);
  if (orgProblem !== null) return usage(`--org ${describeProblem(orgProblem)}`);
  const targetOptions = { table: values.table, region: values.region, profile: values.profile };

  if (command === 'create') {
    if (org === undefined) return usage('create needs --org');
    if (!/^\d+s$/.test(values.timeout)) return usage(`--timeout must be whole seconds such as 10s, got "${values.timeout}"`);
    const id = values.id?.trim() || newZitadelId();
    const problem = idProblem(id);
    if (problem !== null) return usage(`--id ${describeProblem(problem)}`);
    const name = values.name?.trim() || 'localAction';
    const now = new Date().toISOString();
    const action: ActionRecord = {
      resourceOwner: org,
      id,
      name,
      script: values.script ?? `function ${/^[A-Za-z_$][\w$]*$/.test(name) ? name : 'localAction'}(ctx, api) {\n}`,
      timeout: values.timeout,
      allowedToFail: values['allowed-to-fail'],
      state: 'ACTIVE',
      sequence: 1,
      creationDate: now,
      changeDate: now,
    };
    const { client, table, target } = connect(targetOptions);
    try {
      await putNewAction(client, table, action);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new CliError(`Action ${id} already exists in organisation ${org}.`);
      throw err;
    } finally {
      client.destroy();
    }
    process.stdout.write(`Created action ${id} ("${name}") in organisation ${org}, ACTIVE (${describeTarget(target)}).\n`);
    const state = target.kind === 'local-server' ? target.state : undefined;
    if (state?.devIssuer) {
      // The running server's dev ZITADEL (its state in the data folder): a token of a user who may
      // already deactivate there, in the mode the server runs in. Nobody is granted anything here.
      const mode = state.authzMode ?? 'zitadel';
      const devZitadel = createDevZitadel({ issuer: state.issuer, dataDir: resolveDataDir(process.env) });
      const token = orgOwnerToken(devZitadel, org, { mode, ttlSeconds: 3600 });
      if (token !== undefined) {
        process.stdout.write(`Deactivate it (token valid 1h):\n${deactivateCurl(state.url, id, token)}\n`);
      } else {
        const tokenCommand = `npm run -s token -- ${mode === 'claims' ? '--type jwt --claims ' : ''}--org ${shellQuote(org)} --role ORG_OWNER`;
        process.stdout.write(
          (mode === 'claims'
            ? `The dev ZITADEL has no user in organisation ${org} yet (creating an action creates no one).\n`
            : `No user of organisation ${org} may deactivate its actions yet (creating an action grants no one anything).\n`) +
            `To make its first user ORG_OWNER${mode === 'claims' ? ' in a token' : ''} and deactivate it:\n` +
            `TOKEN=$(${tokenCommand})\n${deactivateCurl(state.url, id, { shellVariable: 'TOKEN' })}\n`,
        );
      }
    }
    return 0;
  }

  if (command === 'list') {
    const { client, table } = connect(targetOptions);
    let actions: ActionRecord[];
    try {
      actions = await listActions(client, table, org);
    } finally {
      client.destroy();
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(actions, null, 2)}\n`);
    } else if (actions.length === 0) {
      process.stdout.write(org === undefined ? 'No actions.\n' : `No actions in organisation ${org}.\n`);
    } else {
      printTable(actions);
    }
    return 0;
  }

  return usage(command === undefined ? 'missing command: create or list' : `unknown command "${command}"`);
}

/** The table to talk to and a client with the right credentials (see actions-target.ts). */
function connect(options: { table?: string | undefined; region?: string | undefined; profile?: string | undefined }) {
  const dataDir = resolveDataDir(process.env);
  let target: Target;
  try {
    target = resolveTarget(options, process.env, runningServer(dataDir), dataDir);
  } catch (err) {
    if (err instanceof TargetError) throw new CliError(err.message);
    throw err;
  }
  return { client: clientFor(target, process.env), table: target.table, target };
}

function describeProblem(problem: 'too-long' | 'invalid-characters'): string {
  return problem === 'too-long'
    ? 'is longer than 200 characters: ZITADEL gives no id more (max_len 200)'
    : 'contains a control character or "/": the API could never address it (it answers such ids Action not found)';
}

function printTable(actions: readonly ActionRecord[]): void {
  const rows = [
    ['ORGANISATION', 'ID', 'STATE', 'SEQUENCE', 'NAME', 'CHANGED'],
    ...actions.map((a) => [a.resourceOwner, a.id, a.state, String(a.sequence), a.name, a.changeDate]),
  ];
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}\n`);
  return 2;
}

function describe(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'Cannot reach DynamoDB: is the local server (npm start) still running?';
  if (err instanceof Error && err.name === 'CredentialsProviderError') {
    return 'No AWS credentials found: log in (aws sso login), pass --profile or set AWS_PROFILE, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.';
  }
  if (err instanceof Error && /region is missing/i.test(err.message)) return 'No AWS region: pass --region, set AWS_REGION, or give the profile a region.';
  if (err instanceof Error && err.name === 'ResourceNotFoundException') return `No such table: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

exitQuietlyWhenStdoutCloses();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${describe(err)}\n`);
    process.exitCode = 1;
  },
);
