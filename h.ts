import { createServer } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const srv = createServer(() => {}).listen(0, '127.0.0.1', async () => {
  const c = new DynamoDBClient({ endpoint: `http://127.0.0.1:${(srv.address() as any).port}`, region: 'x', credentials: {accessKeyId:'a',secretAccessKey:'b'}, maxAttempts: 1, requestHandler: { requestTimeout: 500, connectionTimeout: 300 } });
  const h = (c.config as any).requestHandler; console.log(h.constructor.name, await h.configProvider);
  const t = Date.now();
  try { await c.send(new GetItemCommand({ TableName: 't', Key: { a: { S: 'x' } } })); } catch (e: any) { console.log(e.name, e.message, Date.now() - t); }
  srv.closeAllConnections(); srv.close();
});
