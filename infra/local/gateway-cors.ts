/**
 * API Gateway's CORS, as an HTTP API with a CORS configuration behaves (developer guide, "Configuring CORS for
 * an HTTP API"): the gateway answers a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`)
 * itself, whether or not an OPTIONS route exists, so the function never runs for it; to an integration's answer
 * it adds the configured headers when the request has an allowed `Origin`, and it drops any CORS header the
 * integration set. A request from an origin that is not allowed gets no CORS header at all (the browser then
 * refuses to read the answer, or, after a failed preflight, never sends the request).
 */
import { randomUUID } from 'node:crypto';
import { ALL_ORIGINS, type CorsSettings } from '../cors.ts';
import type { HttpResponse } from './api-gateway-event.ts';

/** The request headers that matter to CORS, as node gives them. */
export interface CorsRequest {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
}

/** True when the gateway answers this request itself: a CORS preflight. */
export const isPreflight = (request: CorsRequest): boolean =>
  request.method === 'OPTIONS' && request.origin !== undefined && request.requestMethod !== undefined;

/** The gateway's answer to a preflight: 204, with the configuration's headers when the origin is allowed. */
export function preflightResponse(cors: CorsSettings, origin: string): HttpResponse {
  const headers: Record<string, string> = { 'apigw-requestid': randomUUID() };
  const allowed = allowedOriginHeader(cors, origin);
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    headers['access-control-allow-methods'] = cors.allowMethods.join(',');
    headers['access-control-allow-headers'] = cors.allowHeaders.join(',');
    headers['access-control-max-age'] = String(cors.maxAgeSeconds);
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

/** An integration's answer as the gateway passes it on: its CORS headers replaced by the configuration's. */
export function withCorsHeaders(cors: CorsSettings, origin: string | undefined, response: HttpResponse): HttpResponse {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !name.startsWith('access-control-')));
  const allowed = origin === undefined ? undefined : allowedOriginHeader(cors, origin);
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = allowed;
    if (cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { ...response, headers };
}

/** `*` when every origin is allowed, the request's origin when it is on the list, else undefined. */
function allowedOriginHeader(cors: CorsSettings, origin: string): string | undefined {
  if (cors.allowOrigins.includes(ALL_ORIGINS)) return ALL_ORIGINS;
  return cors.allowOrigins.some((allowed) => originMatches(allowed, origin)) ? origin : undefined;
}

/** Scheme and host compare without case; `https://*.example.com` stands for any subdomain of example.com. */
export function originMatches(allowed: string, origin: string): boolean {
  const pattern = allowed.toLowerCase();
  const candidate = origin.toLowerCase();
  const star = pattern.indexOf('://*.');
  if (star === -1) return pattern === candidate;
  const prefix = pattern.slice(0, star + 3);
  const suffix = pattern.slice(star + 4);
  if (!candidate.startsWith(prefix) || !candidate.endsWith(suffix)) return false;
  const subdomain = candidate.slice(prefix.length, candidate.length - suffix.length);
  return /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(subdomain);
}
