/**
 * Where `npm run actions` writes, and with which credentials. Three targets:
 *
 *  - **AWS** (`--table`, `--region` or `--profile` given): the SDK's standard credential chain
 *    (environment, `--profile`/`AWS_PROFILE`, SSO, …) and region (`--region`, `AWS_REGION`, the
 *    profile's). Never dummy credentials: a missing login is an error, not a silent fake.
 *  - **an endpoint** (`AWS_ENDPOINT_URL_DYNAMODB`): the standard chain too, except that a loopback
 *    endpoint (DynamoDB Local, dynalite) with no credentials configured gets dummies, which never
 *    leave the machine.
 *  - **the running local server** (`npm start`): its own DynamoDB endpoint, dummy credentials.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalServerState } from './local-state.ts';

export interface TargetOptions {
  readonly table?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

export type Target =
  | { readonly kind: 'aws'; readonly table: string; readonly region?: string; readonly profile?: string }
  | { readonly kind: 'endpoint'; readonly endpoint: string; readonly table: string; readonly dummyCredentials: boolean }
  | { readonly kind: 'local-server'; readonly endpoint: string; readonly table: string; readonly state: LocalServerState };

/** A target that cannot be built from what was given; the message says what to pass. */
export class TargetError extends Error {
  override name = 'TargetError';
}

const LOCAL_REGION = 'us-east-1';
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Decides the target from the options, the environment and the local server's state (`undefined`
 * when no server of this data folder runs). Pure: no I/O.
 */
export function resolveTarget(
  options: TargetOptions,
  env: Readonly<Record<string, string | undefined>>,
  runningServer: LocalServerState | undefined,
  dataDir: string,
): Target {
  const table = options.table?.trim() || undefined;
  const region = options.region?.trim() || undefined;
  const profile = options.profile?.trim() || undefined;
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim() || undefined;

  if (table !== undefined || region !== undefined || profile !== undefined) {
    const name = table ?? (env.ACTIONS_TABLE?.trim() || undefined);
    if (name === undefined) {
      throw new TargetError('Against AWS, pass --table <TableName> (the stack output TableName) or set ACTIONS_TABLE.');
    }
    return { kind: 'aws', table: name, ...(region === undefined ? {} : { region }), ...(profile === undefined ? {} : { profile }) };
  }
  const localTable = env.ACTIONS_TABLE?.trim() || runningServer?.table || 'actions';
  if (endpoint !== undefined) {
    const configured = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
    return { kind: 'endpoint', endpoint, table: localTable, dummyCredentials: isLoopback(endpoint) && !configured };
  }
  if (runningServer === undefined) {
    throw new TargetError(
      `The local server is not running (data folder ${dataDir}). Start it with \`npm start\` in another terminal: ` +
        'its DynamoDB is reachable only while it runs. Or set AWS_ENDPOINT_URL_DYNAMODB, or pass --table (and --region/--profile) for a deployed table.',
    );
  }
  return { kind: 'local-server', endpoint: runningServer.dynamodbEndpoint, table: localTable, state: runningServer };
}

/** The client for a target. The AWS target leaves credentials and region to the SDK's chain. */
export function clientFor(target: Target, env: Readonly<Record<string, string | undefined>>): DynamoDBClient {
  switch (target.kind) {
    case 'aws':
      return new DynamoDBClient({
        maxAttempts: 3,
        ...(target.region === undefined ? {} : { region: target.region }),
        ...(target.profile === undefined ? {} : { profile: target.profile }),
      });
    case 'endpoint':
      return new DynamoDBClient({
        endpoint: target.endpoint,
        maxAttempts: 2,
        ...(env.AWS_REGION || env.AWS_DEFAULT_REGION ? { region: env.AWS_REGION || env.AWS_DEFAULT_REGION } : { region: LOCAL_REGION }),
        ...(target.dummyCredentials ? { credentials: DUMMY_CREDENTIALS } : {}),
      });
    case 'local-server':
      return new DynamoDBClient({ endpoint: target.endpoint, maxAttempts: 2, region: LOCAL_REGION, credentials: DUMMY_CREDENTIALS });
  }
}

/** Where the table is, for messages. */
export function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'aws':
      return `table ${target.table} on AWS${target.region === undefined ? '' : ` (${target.region})`}`;
    case 'endpoint':
      return `table ${target.table} at ${target.endpoint}`;
    case 'local-server':
      return `table ${target.table} of the local server`;
  }
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}
