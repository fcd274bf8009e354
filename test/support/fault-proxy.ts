import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Over the table's provisioned throughput. */
  | { kind: 'throttle' }
  /** Throttled by the service (e.g. an on-demand table's account or partition limits). */
  | { kind: 'throttling-exception' }
  | { kind: 'server-error' }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Forwarded and applied by the engine, but the reply is lost: the connection drops instead. */
  | { kind: 'lose-reply' };

/**
 * A real HTTP proxy in front of a DynamoDB engine that injects DynamoDB faults on demand: the next
 * `faults.length` requests get the listed faults (then traffic passes through), or every request
 * gets `always`. Faulted requests never reach the engine, so nothing behind them can be written,
 * except `lose-reply`, which is exactly a write whose answer never arrives.
 */
export async function startFaultProxy(target: string) {
  const state = {
    faults: [] as Fault[],
    always: undefined as Fault | undefined,
    requests: 0,
    forwarded: 0,
  };
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    state.requests++;
    const fault = state.always ?? state.faults.shift();
    if (fault === undefined) {
      forward(req, res);
      return;
    }
    if (fault.kind === 'lose-reply') {
      forward(req, res, true);
      return;
    }
    req.resume();
    switch (fault.kind) {
      case 'throttle':
        dynamoError(res, 400, 'ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.');
        return;
      case 'throttling-exception':
        dynamoError(res, 400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 'com.amazon.coral.availability');
        return;
      case 'server-error':
        dynamoError(res, 500, 'InternalServerError', 'Internal server error');
        return;
      case 'hang':
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      case 'reset':
        req.socket.destroy();
        return;
    }
  });

  function forward(req: IncomingMessage, res: ServerResponse, loseReply = false) {
    state.forwarded++;
    const url = new URL(target);
    const upstream = request(
      { host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (loseReply) {
          up.resume();
          up.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An error reply as DynamoDB sends it (`__type` carries the service namespace, then the name). */
function dynamoError(res: ServerResponse, status: number, type: string, message: string, namespace = 'com.amazonaws.dynamodb.v20120810') {
  res
    .writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' })
    .end(JSON.stringify({ __type: `${namespace}#${type}`, message }));
}
