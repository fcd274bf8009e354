import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  fromLambdaResult,
  gatewayResponse,
  matchRoute,
  toApiGatewayEvent,
  type HttpResponse,
} from './api-gateway-event.ts';
import type { CorsSettings } from '../cors.ts';
import { isPreflight, preflightResponse, withCorsHeaders } from './gateway-cors.ts';
import { FUNCTION_TIMEOUT_MS, lambdaContext } from './lambda-context.ts';

/** The function as API Gateway invokes it. */
export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Request bodies above this are refused with 413 before the function runs. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Request line plus headers; larger requests get node's 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

export interface LocalServerOptions {
  /** Set once the function is ready; until then requests get 503. */
  handler: () => LambdaHandler | undefined;
  /** The dev ZITADEL (key set, discovery, Auth API), asked first; it answers its own routes. */
  devZitadel?: () => { handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> } | undefined;
  timeoutMs?: number;
  maxBodyBytes?: number;
  /** Where the server reports function failures (never request data). */
  logError?: (line: string) => void;
  /** The HTTP API's CORS configuration (`corsSettings`), answered as API Gateway does; absent: none. */
  cors?: CorsSettings;
}

/**
 * The HTTP API on loopback: `POST /management/v1/actions/{id}/_deactivate` (JSON) and
 * `POST /zitadel.management.v1.ManagementService/DeactivateAction` (gRPC-web, binary bodies
 * base64 in the event as API Gateway delivers them) become a payload 2.0 event for the very
 * handler the stack deploys; anything else gets API Gateway's 404.
 */
export function createLocalServer(options: LocalServerOptions): Server {
  const server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 10_000, requestTimeout: 30_000 },
    (req, res) => {
      const devZitadel = options.devZitadel?.();
      void (devZitadel === undefined ? Promise.resolve(false) : devZitadel.handle(req, res))
        .then((handled) => (handled ? undefined : respond(req, options)))
        .catch((err: unknown) => {
          options.logError?.(`local server: ${err instanceof Error ? err.message : String(err)}`);
          return gatewayResponse(500, 'Internal Server Error');
        })
        .then((response) => {
          if (response !== undefined) send(res, response);
        });
    },
  );
  return server;
}

async function respond(req: IncomingMessage, options: LocalServerOptions): Promise<HttpResponse> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const path = url.split('?', 1)[0] ?? '/';

  const origin = singleHeader(req.headers.origin);
  const cors = options.cors;
  // The gateway answers preflights itself: the function never sees them.
  if (cors !== undefined && origin !== undefined && isPreflight({ method, origin, requestMethod: singleHeader(req.headers['access-control-request-method']) })) {
    req.resume();
    return preflightResponse(cors, origin);
  }

  const route = matchRoute(method, path);
  if (route === undefined) return gatewayResponse(404, 'Not Found');

  const body = await readBody(req, options.maxBodyBytes ?? MAX_BODY_BYTES);
  if (body === undefined) return { ...gatewayResponse(413, 'Request Entity Too Large'), headers: { 'content-type': 'application/json', connection: 'close' } };

  const handler = options.handler();
  if (handler === undefined) return gatewayResponse(503, 'Service Unavailable');

  const event = toApiGatewayEvent(
    { method, url, rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', httpVersion: req.httpVersion },
    route,
  );
  const timeoutMs = options.timeoutMs ?? FUNCTION_TIMEOUT_MS;
  const context = lambdaContext(timeoutMs);
  const invoked = await invoke(handler, event, context, timeoutMs, options.logError);
  const response = cors === undefined ? invoked : withCorsHeaders(cors, origin, invoked);
  return { ...response, headers: { ...response.headers, 'apigw-requestid': event.requestContext.requestId } };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Runs the function with its timeout; a failure or timeout is API Gateway's 500, as for a function error. */
async function invoke(
  handler: LambdaHandler,
  event: APIGatewayProxyEventV2,
  context: Context,
  timeoutMs: number,
  logError: ((line: string) => void) | undefined,
): Promise<HttpResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([handler(event, context), timedOut]);
    if (result === 'timeout') {
      logError?.(`function timed out after ${timeoutMs} ms (request ${context.awsRequestId})`);
      return gatewayResponse(500, 'Internal Server Error');
    }
    return fromLambdaResult(result);
  } catch (err) {
    logError?.(`function failed (request ${context.awsRequestId}): ${err instanceof Error ? err.name : 'error'}`);
    return gatewayResponse(500, 'Internal Server Error');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The whole body, or `undefined` once it is larger than `limit` (announced or actual). An
 * oversized body is not read further: the 413 goes out with `connection: close`.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd).pause();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).on('end', onEnd).once('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  if (res.headersSent || res.destroyed) return;
  const closeAfter = response.headers.connection === 'close';
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': response.body.length });
  res.end(response.body, () => {
    // An oversized body was not read to its end: drop the connection rather than drain it.
    if (closeAfter) res.socket?.destroy();
  });
}
