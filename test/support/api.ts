import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../../functions/http/request-context.ts';

export type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface CallOptions {
  /** The raw Authorization header; `token` builds a Bearer one. */
  authorization?: string;
  token?: string;
  orgHeader?: string;
  headers?: Record<string, string>;
  /** Raw body; `undefined` sends none. Default `{}` as in ZITADEL's curl example. */
  body?: string | undefined;
}

let requestCounter = 0;

/** An API Gateway HTTP API (payload 2.0) event for `POST /management/v1/actions/{id}/_deactivate`. */
export function deactivateEvent(id: string, options: CallOptions = {}): HttpEvent {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (options.orgHeader !== undefined) headers['x-zitadel-orgid'] = options.orgHeader;
  Object.assign(headers, options.headers);
  const body = 'body' in options ? options.body : '{}';
  const rawPath = `/management/v1/actions/${encodeURIComponent(id.toWellFormed())}/_deactivate`;
  const requestId = `req-${++requestCounter}`;
  return {
    version: '2.0',
    routeKey: 'POST /management/v1/actions/{id}/_deactivate',
    rawPath,
    rawQueryString: '',
    headers,
    pathParameters: id === '' ? undefined : { id },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId,
      routeKey: 'POST /management/v1/actions/{id}/_deactivate',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

export function lambdaContext(remainingMs = 10_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'deactivate-action',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:deactivate-action',
    memoryLimitInMB: '512',
    awsRequestId: `aws-req-${++requestCounter}`,
    logGroupName: '/aws/lambda/deactivate-action',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    // The Context type still requires the deprecated callbacks; nothing calls them.
    /* eslint-disable @typescript-eslint/no-deprecated */
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    /* eslint-enable @typescript-eslint/no-deprecated */
  };
}

export interface CallResult {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

export async function call(handler: Handler, id: string, options: CallOptions = {}): Promise<CallResult> {
  const result = await handler(deactivateEvent(id, options), lambdaContext());
  const status = result.statusCode ?? 0;
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { status, headers, body: result.body === undefined ? undefined : JSON.parse(result.body) };
}

/** ZITADEL's error body for a given code, id and message text (the detail's message). */
export function zitadelError(code: number, id: string, text: string) {
  return {
    code,
    message: `${text} (${id})`,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id, message: text }],
  };
}

/**
 * ZITADEL's answer without an Authorization header: a plain status from its auth interceptor, no id, and no
 * `details` at all (the gateway's protojson marshaler leaves the empty list out).
 */
export const AUTH_HEADER_MISSING = { code: 16, message: 'auth header missing' };

/** grpc-gateway's answer to a body protojson cannot decode: InvalidArgument with protojson's message, no details. */
export const undecodable = (message: string) => ({ code: 3, message });
