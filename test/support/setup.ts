import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDBClient, createHandler } from '../../functions/deactivate-action/handler.ts';
import type { Config } from '../../functions/deactivate-action/config.ts';
import { DEFAULT_ROLE_PERMISSIONS } from '../../functions/domain/permissions.ts';
import type { Handler } from './api.ts';
import { countRequests, startDynamo, TABLE } from './dynamodb.ts';
import { DYNALITE, type Engine } from './engines.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { CLIENT_ID, PROJECT_ID, startIssuer } from './issuer.ts';

/** Fixed clock for the handler, so stored change dates can be asserted exactly. */
export const NOW = new Date('2026-11-26T08:00:00.000Z');

/**
 * Everything one test file needs, all real: a DynamoDB engine (dynalite unless `engine` says
 * otherwise) with the actions table, a loopback issuer serving its key set over HTTP, and the
 * handler built by the production factory with the production DynamoDB client.
 */
export async function startWorld(
  overrides: Partial<Config> = {},
  options: { storageProxy?: boolean; logger?: Logger; engine?: Engine } = {},
) {
  const dynamo = await startDynamo(options.engine ?? DYNALITE);
  const issuer = await startIssuer();
  // Optionally the handler reaches dynalite through a fault-injecting proxy.
  const proxy = options.storageProxy ? await startFaultProxy(dynamo.endpoint) : undefined;
  // Claims mode: these worlds sign their own JWTs with project roles. The zitadel mode has its own world
  // (test/support/zitadel-world.ts) around the dev ZITADEL.
  const config: Config = {
    authzMode: 'claims',
    projectId: PROJECT_ID,
    apiUrl: issuer.url,
    cacheSeconds: 0,
    issuer: issuer.url,
    audience: [PROJECT_ID],
    jwksUri: `${issuer.url}/oauth/v2/keys`,
    tableName: TABLE,
    rolePermissions: DEFAULT_ROLE_PERMISSIONS,
    ...overrides,
  };
  // The production client, pointed explicitly at this world's server and database: the SDK reads
  // AWS_ENDPOINT_URL_DYNAMODB and the credentials lazily, and another world may have changed them.
  const handlerClient = createDynamoDBClient({ endpoint: proxy?.endpoint ?? dynamo.endpoint, credentials: dynamo.credentials });
  const storageRequests = countRequests(handlerClient);
  const handler = createHandler({
    config,
    dynamodb: handlerClient,
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
  }) as unknown as Handler;
  return {
    dynamo,
    issuer,
    config,
    handler,
    storageRequests,
    proxy,
    close: async () => {
      handlerClient.destroy();
      await Promise.all([dynamo.close(), issuer.close(), proxy?.close()]);
    },
  };
}
export type World = Awaited<ReturnType<typeof startWorld>>;
export { CLIENT_ID };
