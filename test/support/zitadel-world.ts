import { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../../functions/deactivate-action/config.ts';
import { createDynamoDBClient, createHandler } from '../../functions/deactivate-action/handler.ts';
import { DEFAULT_ROLE_PERMISSIONS } from '../../functions/domain/permissions.ts';
import { startDevZitadel } from '../../infra/local/dev-zitadel/index.ts';
import type { Handler } from './api.ts';
import { countRequests, startDynamo, TABLE } from './dynamodb.ts';
import { NOW } from './setup.ts';

/**
 * A world for the default mode, all real: dynalite with the actions table, the dev ZITADEL (key set, Auth API,
 * opaque tokens, PATs, memberships) on its own loopback port, and the handler built by the production factory
 * in `AUTHZ_MODE=zitadel`, asking that ZITADEL over HTTP (or `apiUrl`, e.g. a port where nothing answers).
 */
export async function startZitadelWorld(overrides: Partial<Config> = {}) {
  const dynamo = await startDynamo();
  const zitadel = await startDevZitadel();
  const config: Config = {
    authzMode: 'zitadel',
    issuer: zitadel.url,
    audience: [],
    jwksUri: `${zitadel.url}/oauth/v2/keys`,
    projectId: '',
    apiUrl: zitadel.url,
    cacheSeconds: 30,
    tableName: TABLE,
    rolePermissions: DEFAULT_ROLE_PERMISSIONS,
    ...overrides,
  };
  const handlerClient = createDynamoDBClient({ endpoint: dynamo.endpoint });
  const storageRequests = countRequests(handlerClient);
  const handler = createHandler({
    config,
    dynamodb: handlerClient,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
  }) as unknown as Handler;
  /** ZITADEL Auth API requests so far (every call, whichever the function makes). */
  const zitadelRequests = () => zitadel.stats.usersMe + zitadel.stats.permissions + zitadel.stats.memberships;
  return {
    dynamo,
    zitadel,
    handler,
    storageRequests,
    zitadelRequests,
    close: async () => {
      handlerClient.destroy();
      await Promise.all([dynamo.close(), zitadel.close()]);
    },
  };
}
export type ZitadelWorld = Awaited<ReturnType<typeof startZitadelWorld>>;
