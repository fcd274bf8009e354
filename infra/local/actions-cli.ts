/**
 * `npm run actions -- create --org <orgId> [--name ..] [--id ..]` and `npm run actions -- list --org <orgId>`:
 * add and inspect actions in the local table, through the running server's DynamoDB endpoint
 * (never by opening its data folder, which the server holds) or AWS_ENDPOINT_URL_DYNAMODB.
 */
import { parseArgs } from 'node:util';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listActions, newZitadelId, putNewAction, type ActionRecord } from './action-records.ts';
import { deactivateCurl } from './curl-command.ts';
import { loadSigningKey, mintDevToken } from './dev-issuer.ts';
import { applyLocalAwsDefaults } from './embedded-dynamodb.ts';
import { processAlive, readState, resolveDataDir, type LocalServerState } from './local-state.ts';

const USAGE = `Usage:
  npm run actions -- create --org <orgId> [--id <id>] [--name <name>] [--script <js>] [--timeout 10s] [--allowed-to-fail]
  npm run actions -- list [--org <orgId>] [--json]

Talks to the running local server's DynamoDB (npm start), or to AWS_ENDPOINT_URL_DYNAMODB if set.
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

  if (command === 'create') {
    if (org === undefined) return usage('create needs --org');
    if (!/^\d+s$/.test(values.timeout)) return usage(`--timeout must be whole seconds such as 10s, got "${values.timeout}"`);
    const id = values.id?.trim() || newZitadelId();
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
    const { client, table, state } = connect();
    try {
      await putNewAction(client, table, action);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new CliError(`Action ${id} already exists in organisation ${org}.`);
      throw err;
    } finally {
      client.destroy();
    }
    process.stdout.write(`Created action ${id} ("${name}") in organisation ${org}, ACTIVE.\n`);
    const key = state?.devIssuer ? loadSigningKey(resolveDataDir(process.env)) : undefined;
    if (state !== undefined && key !== undefined) {
      const token = mintDevToken(key, { issuer: state.issuer, orgId: org, roles: ['ORG_OWNER'], ttlSeconds: 3600 });
      process.stdout.write(`Deactivate it (token valid 1h):\n${deactivateCurl(state.url, id, token)}\n`);
    }
    return 0;
  }

  if (command === 'list') {
    const { client, table } = connect();
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

/** The endpoint: AWS_ENDPOINT_URL_DYNAMODB, else the running local server's (from its state file). */
function connect(): { client: DynamoDBClient; table: string; state: LocalServerState | undefined } {
  const dataDir = resolveDataDir(process.env);
  const state = readState(dataDir);
  const configured = process.env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || undefined;
  let endpoint = configured;
  if (endpoint === undefined) {
    if (state === undefined || !processAlive(state.pid)) {
      throw new CliError(
        `The local server is not running (data folder ${dataDir}). Start it with \`npm start\` in another terminal: ` +
          'its DynamoDB is reachable only while it runs. Or set AWS_ENDPOINT_URL_DYNAMODB.',
      );
    }
    endpoint = state.dynamodbEndpoint;
  }
  applyLocalAwsDefaults(process.env);
  const table = process.env.ACTIONS_TABLE?.trim() || state?.table || 'actions';
  const running = state !== undefined && processAlive(state.pid) ? state : undefined;
  return { client: new DynamoDBClient({ endpoint, maxAttempts: 2 }), table, state: running };
}

function printTable(actions: readonly ActionRecord[]): void {
  const rows = [
    ['ORGANISATION', 'ID', 'STATE', 'SEQUENCE', 'NAME', 'CHANGED'],
    ...actions.map((a) => [a.resourceOwner, a.id, a.state, String(a.sequence), a.name, a.changeDate]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

function usage(problem: string): number {
  process.stderr.write(`${problem}\n\n${USAGE}\n`);
  return 2;
}

function describe(err: unknown): string {
  if (err instanceof CliError) return err.message;
  const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'Cannot reach DynamoDB: is the local server (npm start) still running?';
  if (err instanceof Error && err.name === 'ResourceNotFoundException') return `No such table: ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${describe(err)}\n`);
    process.exitCode = 1;
  },
);
