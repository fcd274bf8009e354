import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { deactivateEvent } from '../test/support/api.ts';
import { CREATED, startDynamo, TABLE } from '../test/support/dynamodb.ts';
import { DYNALITE, type Engine } from '../test/support/engines.ts';
import { orgClaims, PROJECT_ID, startIssuer } from '../test/support/issuer.ts';

export const ORG = '69629023906488334';

/**
 * The benchmark's loopback world: a DynamoDB engine (dynalite or DynamoDB Local) with the actions
 * table and a ZITADEL-like issuer serving its key set over HTTP (the same fixtures the tests use).
 */
export async function startBenchWorld(engine: Engine = DYNALITE) {
  const dynamo = await startDynamo(engine);
  const issuer = await startIssuer();
  const token = issuer.token(orgClaims(ORG, { ORG_OWNER: [ORG] }));
  /** Environment of a function process configured against this world. */
  const functionEnv = {
    ZITADEL_ISSUER: issuer.url,
    ZITADEL_AUDIENCE: PROJECT_ID,
    ACTIONS_TABLE: TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'eu-central-1',
    // This world's database (DynamoDB Local keeps one per access key).
    AWS_ACCESS_KEY_ID: dynamo.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dynamo.credentials.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'bench',
    // As the stack sets it for the deployed function.
    NODE_OPTIONS: '--enable-source-maps',
  };
  return {
    dynamo,
    issuer,
    token,
    functionEnv,
    event: (id: string) => deactivateEvent(id, { token }),
    close: async () => {
      await Promise.all([dynamo.close(), issuer.close()]);
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
