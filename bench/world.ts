import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { deactivateEvent } from '../test/support/api.ts';
import { CREATED, startDynamo, TABLE } from '../test/support/dynamodb.ts';
import { DYNALITE, type Engine } from '../test/support/engines.ts';
import type { AuthzMode } from '../functions/deactivate-action/config.ts';
import { startDevZitadel } from '../infra/local/dev-zitadel/index.ts';

export const ORG = '69629023906488334';
const USER = '69629023906488335';

/**
 * The benchmark's loopback world: a DynamoDB engine (dynalite or DynamoDB Local) with the actions
 * table and the dev ZITADEL (key set, Auth API) over HTTP, the same fixtures the tests use. The token
 * is an ORG_OWNER's: in claims mode a JWT carrying the project role, in zitadel mode a PAT whose
 * membership ZITADEL's Auth API is asked about.
 */
export async function startBenchWorld(engine: Engine = DYNALITE, mode: AuthzMode = 'claims') {
  const dynamo = await startDynamo(engine);
  const zitadel = await startDevZitadel();
  zitadel.addOrganization(ORG);
  zitadel.addUser({ id: USER, orgId: ORG });
  zitadel.addMembership(USER, { role: 'ORG_OWNER', orgId: ORG });
  const token =
    mode === 'claims' ? zitadel.issueJwt(USER, { roles: { ORG_OWNER: [ORG] }, withOrgClaim: true, ttlSeconds: 3600 }) : zitadel.createPat(USER);
  /** Environment of a function process configured against this world. */
  const functionEnv = {
    AUTHZ_MODE: mode,
    ZITADEL_ISSUER: zitadel.url,
    ZITADEL_AUDIENCE: zitadel.projectId,
    ACTIONS_TABLE: TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'eu-central-1',
    // This world's database (DynamoDB Local keeps one per access key).
    AWS_ACCESS_KEY_ID: dynamo.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dynamo.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'bench',
    // As on Lambda: the stack sets no NODE_OPTIONS (no --enable-source-maps; bench/NOTES.md).
    NODE_OPTIONS: '',
  };
  return {
    dynamo,
    zitadel,
    mode,
    /** ZITADEL Auth API requests so far. */
    zitadelRequests: () => zitadel.stats.usersMe + zitadel.stats.permissions + zitadel.stats.memberships,
    token,
    functionEnv,
    event: (id: string) => deactivateEvent(id, { token }),
    close: async () => {
      await Promise.all([dynamo.close(), zitadel.close()]);
    },
  };
}
export type BenchWorld = Awaited<ReturnType<typeof startBenchWorld>>;

/** Puts `count` ACTIVE actions named `<prefix>-<n>` with BatchWriteItem (25 per request). */
export async function seedActions(world: BenchWorld, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (let i = 0; i < ids.length; i += 25) {
    await world.dynamo.client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [TABLE]: ids.slice(i, i + 25).map((id) => ({
            PutRequest: {
              Item: {
                resourceOwner: { S: ORG },
                id: { S: id },
                name: { S: `bench ${id}` },
                script: { S: 'function bench(ctx, api) {}' },
                timeout: { S: '10s' },
                allowedToFail: { BOOL: true },
                state: { S: 'ACTIVE' },
                sequence: { N: '1' },
                creationDate: { S: CREATED },
                changeDate: { S: CREATED },
              },
            },
          })),
        },
      }),
    );
  }
  return ids;
}
