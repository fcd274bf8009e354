/**
 * CORS as ZITADEL's API answers it, in the form API Gateway's HTTP API takes (`corsPreflight`), so that
 * preflights are answered by the gateway and never run the function. The same values drive the local
 * server's imitation of the gateway (`infra/local/gateway-cors.ts`). No AWS imports: both sides use it.
 *
 * ZITADEL (read from its source):
 * - `internal/api/http/middleware/cors_interceptor.go` (`DefaultCORSOptions`, rs/cors) wraps the REST
 *   gateway (`addInterceptors` in `internal/api/grpc/server/gateway.go`): `AllowOriginFunc` returns true
 *   for every origin, `AllowCredentials: true` (so rs/cors reflects the request's origin instead of `*`),
 *   the methods and request headers below, exposed headers `location, content-length, grpc-status,
 *   grpc-message, grpc-status-details-bin`, no `MaxAge` (no `Access-Control-Max-Age` header).
 * - `routeGRPCWeb` in `internal/api/api.go` wraps the gRPC server with improbable-eng's grpcweb:
 *   `WithOriginFunc` true for every origin, request headers origin, content-type, accept,
 *   accept-language, authorization, x-zitadel-orgid, x-user-agent, x-grpc-web (plus the wrapper's own
 *   `U-A`), credentials allowed, `MaxAge` 600 s (`go/grpcweb/wrapper.go`); it exposes the response's
 *   own headers (grpc-status, grpc-message, …) itself.
 *
 * One HTTP API has one CORS configuration, so both routes answer the union: every origin, ZITADEL's
 * methods, the request headers of both wrappers, the REST wrapper's exposed headers (which name the gRPC-web
 * trailers-only headers too) and the gRPC-web wrapper's 600 s preflight cache.
 */

/** `DefaultCORSOptions.AllowedMethods`. */
export const ZITADEL_CORS_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `DefaultCORSOptions.AllowedHeaders` (a superset of the gRPC-web wrapper's list) plus the wrapper's `U-A`. */
export const ZITADEL_CORS_ALLOW_HEADERS: readonly string[] = [
  'origin',
  'content-type',
  'accept',
  'accept-language',
  'authorization',
  'x-zitadel-orgid',
  'x-user-agent',
  'x-grpc-web',
  'x-requested-with',
  'connect-protocol-version',
  'connect-timeout-ms',
  'grpc-timeout',
  'u-a',
];

/** `DefaultCORSOptions.ExposedHeaders`. */
export const ZITADEL_CORS_EXPOSE_HEADERS: readonly string[] = ['location', 'content-length', 'grpc-status', 'grpc-message', 'grpc-status-details-bin'];

/** The gRPC-web wrapper's `MaxAge` (10 minutes); ZITADEL's REST wrapper sets none. */
export const ZITADEL_CORS_MAX_AGE_SECONDS = 600;

/** ZITADEL allows every origin: the gateway's `*`. */
export const ALL_ORIGINS = '*';

/** What the HTTP API's CORS configuration holds (CloudFormation `CorsConfiguration`). */
export interface CorsSettings {
  /** `['*']`, or the origins allowed (`https://app.example.com`, `https://*.example.com`). */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly (typeof ZITADEL_CORS_METHODS)[number][];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /**
   * ZITADEL always says `Access-Control-Allow-Credentials: true` and reflects any origin. API Gateway refuses
   * credentials with `*`, so: with `*` no credentials (a bearer token in `Authorization` needs none, and
   * `@zitadel/client`'s fetch sends none cross-origin); with a list of origins, credentials as ZITADEL.
   */
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds: number;
}

/** A problem with the configured origins, told so that the operator can fix the value. */
export class CorsOriginError extends Error {
  override name = 'CorsOriginError';
}

/**
 * An origin the gateway accepts: `*` alone, or `scheme://host[:port]` with nothing after it (no path, not
 * even `/`), the host optionally starting with one `*.` for any subdomain.
 */
const ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * The CORS settings for the allowed origins: `undefined`, empty or `*` is ZITADEL's "every origin".
 * `raw` may be a list or one comma-separated string (`-c corsAllowOrigins=…`, `CORS_ALLOW_ORIGINS`).
 */
export function corsSettings(raw?: string | readonly string[]): CorsSettings {
  const origins = parseOrigins(raw);
  const all = origins.length === 0 || origins.includes(ALL_ORIGINS);
  return {
    allowOrigins: all ? [ALL_ORIGINS] : origins,
    allowMethods: [...ZITADEL_CORS_METHODS],
    allowHeaders: ZITADEL_CORS_ALLOW_HEADERS,
    exposeHeaders: ZITADEL_CORS_EXPOSE_HEADERS,
    allowCredentials: !all,
    maxAgeSeconds: ZITADEL_CORS_MAX_AGE_SECONDS,
  };
}

function parseOrigins(raw: string | readonly string[] | undefined): string[] {
  if (raw === undefined) return [];
  const items = (typeof raw === 'string' ? raw.split(',') : raw).map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of items) {
    if (origin !== ALL_ORIGINS && !ORIGIN.test(origin.toLowerCase())) {
      throw new CorsOriginError(
        `corsAllowOrigins: "${origin}" is not an origin. Give scheme://host[:port] without path or trailing slash ` +
          '(e.g. https://app.example.com, https://*.example.com), comma-separated, or * for every origin.',
      );
    }
  }
  return [...new Set(items)];
}
