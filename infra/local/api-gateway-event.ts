import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The HTTP API's routes, as API Gateway names them in `routeKey`: the JSON one and the gRPC-web one. */
export const DEACTIVATE_ROUTE_KEY = 'POST /management/v1/actions/{id}/_deactivate';
const DEACTIVATE_PATH = /^\/management\/v1\/actions\/([^/]+)\/_deactivate$/;
/** gRPC's path for ZITADEL's ManagementService.DeactivateAction: a static route, no path parameters. */
export const GRPC_WEB_DEACTIVATE_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';
export const GRPC_WEB_DEACTIVATE_ROUTE_KEY = `POST ${GRPC_WEB_DEACTIVATE_PATH}`;

/** What a matched route yields: the route key and the path parameters, already decoded. */
export interface RouteMatch {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

/**
 * Matches a request against the API's routes the way an HTTP API does: on the method and the
 * percent-encoded path, `{id}` being exactly one non-empty segment. No match means API Gateway's 404.
 */
export function matchRoute(method: string, encodedPath: string): RouteMatch | undefined {
  if (method !== 'POST') return undefined;
  if (encodedPath === GRPC_WEB_DEACTIVATE_PATH) return { routeKey: GRPC_WEB_DEACTIVATE_ROUTE_KEY, pathParameters: {} };
  const segment = DEACTIVATE_PATH.exec(encodedPath)?.[1];
  if (segment === undefined) return undefined;
  return { routeKey: DEACTIVATE_ROUTE_KEY, pathParameters: { id: percentDecode(segment) } };
}

/** The raw request as the local server read it. */
export interface RawRequest {
  readonly method: string;
  /** Request target as sent: path plus optional `?query`, still percent-encoded. */
  readonly url: string;
  /** Node's `rawHeaders`: name, value, name, value, ... in the order received. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly httpVersion: string;
}

/**
 * Builds the API Gateway HTTP API event (payload format 2.0) for a matched request: lowercase
 * header names with repeated headers joined by `,`; the `cookie` header moved to `cookies`;
 * `rawPath` and path parameters decoded as HTTP APIs deliver them, `rawQueryString` left encoded;
 * a text body as is, any other body base64-encoded with `isBase64Encoded`.
 */
export function toApiGatewayEvent(request: RawRequest, route: RouteMatch, now = new Date()): APIGatewayProxyEventV2 {
  const queryAt = request.url.indexOf('?');
  const encodedPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);
  const rawPath = percentDecode(encodedPath);

  const { headers, cookies } = joinHeaders(request.rawHeaders);
  const queryStringParameters = parseQuery(rawQueryString);
  const text = isTextContentType(headers['content-type']);
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    // An HTTP API leaves `pathParameters` out for a route without parameters.
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: { ...route.pathParameters } } : {}),
    isBase64Encoded: request.body.length > 0 && !text,
    ...(request.body.length > 0 ? { body: request.body.toString(text ? 'utf8' : 'base64') } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127.0.0.1').split('.')[0] ?? 'local',
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
  };
}

/** Lowercase names, repeated headers joined with `,`, cookies apart (API Gateway's `cookies`). */
function joinHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
    } else {
      headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
    }
  }
  return { headers, cookies };
}

/** `queryStringParameters`: decoded, repeated keys joined with `,`; absent when there is no query. */
function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    params[key] = Object.hasOwn(params, key) ? `${params[key]},${value}` : value;
  }
  return params;
}

const TEXT_TYPES = /^(text\/[^;]+|application\/(json|[^;]+\+json|xml|[^;]+\+xml|javascript|x-www-form-urlencoded))\s*(;|$)/i;

/** Bodies of these media types reach the function as text; everything else base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_TYPES.test(contentType.trim());
}

/** Decodes `%xx` escapes; a malformed escape leaves the value as sent. */
function percentDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format: `26/Nov/2026:08:00:00 +0000`. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An HTTP response as the local server writes it. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * Turns what the function returned into the HTTP response, as API Gateway does for payload 2.0:
 * a structured result (with `statusCode`) gives its status, headers, cookies and body (decoded
 * when `isBase64Encoded`); any other value is a 200 JSON response carrying that value.
 */
export function fromLambdaResult(result: unknown): HttpResponse {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (structured.cookies !== undefined && structured.cookies.length > 0) headers['set-cookie'] = [...structured.cookies];
    const body = Buffer.from(structured.body ?? '', structured.isBase64Encoded === true ? 'base64' : 'utf8');
    return { statusCode: structured.statusCode ?? 200, headers, body };
  }
  const body = typeof result === 'string' ? result : ((JSON.stringify(result) as string | undefined) ?? '');
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

/** API Gateway's own answers (not the function's), e.g. for no matching route. */
export function gatewayResponse(statusCode: number, message: string): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
  };
}
