import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDBClient, createHandler } from '../functions/deactivate-action/handler.ts';
import { call, type Handler } from '../test/support/api.ts';
import { putAction } from '../test/support/dynamodb.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';
import { loadConfig } from '../functions/deactivate-action/config.ts';
import { ORG, type BenchWorld } from './world.ts';

export interface RequestsPerCall {
  readonly success: number;
  readonly notActive: number;
  readonly notFound: number;
}

/**
 * DynamoDB requests per warm call for each outcome, counted on the wire: the handler (the
 * production factory and client) talks to the engine through a pass-through HTTP proxy.
 */
export async function measureRequestsPerCall(world: BenchWorld, calls = 20): Promise<RequestsPerCall> {
  const proxy = await startFaultProxy(world.dynamo.endpoint);
  const client = createDynamoDBClient({ endpoint: proxy.endpoint, credentials: world.dynamo.credentials });
  const handler = createHandler({
    config: loadConfig(world.functionEnv),
    dynamodb: client,
    logger: new Logger({ logLevel: 'SILENT' }),
  }) as unknown as Handler;
  const perCall = async (id: (n: number) => string, status: number) => {
    await call(handler, id(-1), { token: world.token }); // warm: key set, connection
    const before = proxy.state.requests;
    for (let n = 0; n < calls; n++) {
      const res = await call(handler, id(n), { token: world.token });
      if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    }
    return (proxy.state.requests - before) / calls;
  };
  try {
    for (let n = -1; n < calls; n++) {
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: `rpc-active-${n}` });
      await putAction(world.dynamo.client, { resourceOwner: ORG, id: `rpc-inactive-${n}`, state: 'INACTIVE' });
    }
    return {
      success: await perCall((n) => `rpc-active-${n}`, 200),
      notActive: await perCall((n) => `rpc-inactive-${n}`, 400),
      notFound: await perCall((n) => `rpc-missing-${n}`, 404),
    };
  } finally {
    client.destroy();
    await proxy.close();
  }
}
