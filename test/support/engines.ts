/**
 * The two DynamoDB engines every storage-facing test runs on (one parameterised world):
 * dynalite (in this process, a fresh in-memory server per world) and Amazon's DynamoDB Local
 * (one Java process shared by a whole `npm test` run, see global-setup.ts; every world gets a
 * database of its own through its own access key).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { javaAvailable, JAVA_INSTALL_HINT, startDynamoDBLocal, type DynamoDBLocal } from '../../infra/local/dynamodb-local.ts';

export interface EngineServer {
  readonly endpoint: string;
  /** Credentials for this world; on DynamoDB Local the access key selects the world's own database. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly close: () => Promise<void>;
}

export interface Engine {
  readonly name: 'dynalite' | 'DynamoDB Local';
  /** Whether a failed condition returns the old item (`ReturnValuesOnConditionCheckFailure`). */
  readonly returnsOldItemOnConditionFailure: boolean;
  /** Why this engine's suites are skipped on this machine (`java` missing outside CI), or false. */
  readonly skip: string | false;
  readonly start: () => Promise<EngineServer>;
}

export const DYNALITE: Engine = {
  name: 'dynalite',
  returnsOldItemOnConditionFailure: false,
  skip: false,
  start: async () => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

/** Set by global-setup.ts for the whole run: the shared DynamoDB Local, or `unavailable`. */
export const SHARED_ENDPOINT_VARIABLE = 'TEST_DYNAMODB_LOCAL_ENDPOINT';
export const UNAVAILABLE = 'unavailable';

/** Under CI=true DynamoDB Local is required: a missing `java` fails the run instead of skipping. */
export const dynamoDBLocalRequired = () => process.env.CI === 'true';

function dynamoDBLocalSkip(): string | false {
  if (dynamoDBLocalRequired()) return false;
  const shared = process.env[SHARED_ENDPOINT_VARIABLE];
  const available = shared === undefined ? javaAvailable() : shared !== UNAVAILABLE;
  return available ? false : JAVA_INSTALL_HINT;
}

// A file run on its own (without the global setup) starts its own DynamoDB Local once, shared by
// the worlds of that file and stopped when the last of them closes.
let own: { server: Promise<DynamoDBLocal>; users: number } | undefined;

async function dynamoDBLocalEndpoint(): Promise<{ endpoint: string; release: () => Promise<void> }> {
  const shared = process.env[SHARED_ENDPOINT_VARIABLE];
  if (shared !== undefined && shared !== UNAVAILABLE) return { endpoint: shared, release: () => Promise.resolve() };
  own ??= { server: startDynamoDBLocal({ sharedDb: false, shortLived: true }), users: 0 };
  const current = own;
  current.users++;
  const { endpoint } = await current.server;
  return {
    endpoint,
    release: async () => {
      if (--current.users > 0) return;
      if (own === current) own = undefined;
      await (await current.server).close();
    },
  };
}

export const DYNAMODB_LOCAL: Engine = {
  name: 'DynamoDB Local',
  returnsOldItemOnConditionFailure: true,
  skip: dynamoDBLocalSkip(),
  start: async () => {
    const { endpoint, release } = await dynamoDBLocalEndpoint();
    // Without -sharedDb DynamoDB Local keeps one database per access key and region.
    return { endpoint, credentials: { accessKeyId: `world${randomUUID().replaceAll('-', '')}`, secretAccessKey: 'test' }, close: release };
  },
};

export const ENGINES: readonly Engine[] = [DYNALITE, DYNAMODB_LOCAL];
