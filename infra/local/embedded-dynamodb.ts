import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { javaAvailable, JAVA_INSTALL_HINT, startDynamoDBLocal } from './dynamodb-local.ts';

export interface EmbeddedDynamoDB {
  readonly endpoint: string;
  /** What runs where, for the start banner (e.g. `embedded dynalite at …, data in …`). */
  readonly description?: string;
  /** Stops accepting requests and closes LevelDB cleanly. */
  readonly close: () => Promise<void>;
}

/**
 * dynalite in this process on a loopback port, its LevelDB store in `path`, so the data
 * survives restarts. Tables are ACTIVE at once (`createTableMs: 0`).
 */
export async function startEmbeddedDynamoDB(path: string): Promise<EmbeddedDynamoDB> {
  mkdirSync(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The engines `npm start` can embed, chosen with LOCAL_DYNAMODB (default dynalite). */
export const LOCAL_ENGINES = ['dynalite', 'dynamodb-local'] as const;
export type LocalEngine = (typeof LOCAL_ENGINES)[number];

/** LOCAL_DYNAMODB's value as an engine; a message naming the choices for anything else. */
export function parseLocalEngine(value: string | undefined): LocalEngine | { problem: string } {
  const name = value?.trim() || 'dynalite';
  if ((LOCAL_ENGINES as readonly string[]).includes(name)) return name as LocalEngine;
  return { problem: `LOCAL_DYNAMODB must be one of ${LOCAL_ENGINES.join(', ')}; got "${name}".` };
}

/**
 * The embedded engine with its data under `dataDir`: dynalite in this process (`dynamodb/`,
 * zero dependencies) or Amazon's DynamoDB Local as a child Java process (`dynamodb-local/`).
 */
export async function startLocalDynamoDB(engine: LocalEngine, dataDir: string): Promise<EmbeddedDynamoDB & { description: string }> {
  if (engine === 'dynalite') {
    const path = `${dataDir}/dynamodb`;
    const server = await startEmbeddedDynamoDB(path);
    return { ...server, description: `embedded dynalite at ${server.endpoint}, data in ${path}` };
  }
  if (!javaAvailable()) throw new Error(`LOCAL_DYNAMODB=dynamodb-local: ${JAVA_INSTALL_HINT}`);
  const path = `${dataDir}/dynamodb-local`;
  // A developer's server handles a few requests: the JIT's first tier and the serial GC halve the JVM's start here.
  const server = await startDynamoDBLocal({ dataDir: path, shortLived: true });
  return { endpoint: server.endpoint, close: server.close, description: `DynamoDB Local (java, pid ${server.pid}) at ${server.endpoint}, data in ${path}` };
}

/**
 * Creates the actions table (CONTRACT.md: `resourceOwner` S partition key, `id` S sort key,
 * on-demand) unless it exists, and waits until it is ACTIVE. Returns whether it was created.
 */
export async function ensureActionsTable(
  client: DynamoDBClient,
  table: string,
  { stream = false }: { stream?: boolean } = {},
): Promise<boolean> {
  let created = !(await tableExists(client, table));
  if (created) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [
            { AttributeName: 'resourceOwner', AttributeType: 'S' },
            { AttributeName: 'id', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'resourceOwner', KeyType: 'HASH' },
            { AttributeName: 'id', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
          // As the construct deploys it when change events are on (old and new images).
          ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
      created = false;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: table });
  return created;
}

async function tableExists(client: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

/**
 * The AWS SDK needs a region and credentials even to talk to dynalite: when the environment
 * names none, use dummies (AWS_DEFAULT_REGION counts as a region; the JS SDK reads only AWS_REGION).
 */
export function applyLocalAwsDefaults(env: NodeJS.ProcessEnv): void {
  if (!env.AWS_REGION) env.AWS_REGION = env.AWS_DEFAULT_REGION || 'us-east-1';
  if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
    env.AWS_ACCESS_KEY_ID = 'local';
    env.AWS_SECRET_ACCESS_KEY = 'local';
  }
}
