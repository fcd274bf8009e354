/**
 * ZITADEL's REST errors as its grpc-gateway renders them (`runtime.DefaultHTTPErrorHandler` with
 * ZITADEL's `JSONPb` marshaler, which omits empty fields): the gRPC status as JSON, the HTTP status
 * from the gRPC code.
 *
 * A ZITADEL error (`zerrors.Throw*(…, id, key)`) becomes, in `gerrors.ZITADELToGRPCError`, the
 * status message `"<key> (<id>)"` with one `zitadel.v1.ErrorDetail{id, message: key}`. Errors
 * thrown by the authorization interceptor are not translated: `TranslationHandler` runs inside it
 * (interceptor chain in `internal/api/grpc/server/server.go`), so the key stays e.g.
 * `Errors.Token.Invalid`. A plain gRPC status (`status.Error`) has no details and the gateway
 * drops the empty `details` list.
 */

export interface GatewayError {
  readonly status: number;
  readonly body: { code: number; message: string; details?: { '@type': string; id: string; message: string }[] };
}

const HTTP_STATUS: Record<number, number> = {
  3: 400, // InvalidArgument
  5: 404, // NotFound
  7: 403, // PermissionDenied
  12: 501, // Unimplemented
  13: 500, // Internal
  16: 401, // Unauthenticated
};

/** A ZITADEL error (`zerrors`) after `ZITADELToGRPCError` and the gateway. */
export function zitadelError(grpcCode: number, id: string, key: string): GatewayError {
  return {
    status: HTTP_STATUS[grpcCode] ?? 500,
    body: {
      code: grpcCode,
      message: `${key} (${id})`,
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id, message: key }],
    },
  };
}

/** A plain gRPC status without details. */
export const grpcStatus = (grpcCode: number, message: string, httpStatus = HTTP_STATUS[grpcCode] ?? 500): GatewayError => ({
  status: httpStatus,
  body: { code: grpcCode, message },
});

/** `authorize` in `internal/api/grpc/server/middleware/auth_interceptor.go`: no Authorization header. */
export const AUTH_HEADER_MISSING = grpcStatus(16, 'auth header missing');
/** `extractBearerToken` in `internal/api/authz/context.go`: the header does not split on `"Bearer "` into two parts. */
export const INVALID_AUTH_HEADER = zitadelError(16, 'AUTH-7fs1e', 'invalid auth header');
/** `VerifyTokenAndCreateCtxData`: unknown, expired, revoked token or wrong audience. */
export const TOKEN_INVALID = zitadelError(16, 'AUTH-7fs1e', 'Errors.Token.Invalid');
/** `checkOrigin` (authz/context.go): a token issued to an application, sent from an origin that application does not allow. */
export const ORIGIN_NOT_ALLOWED = zitadelError(7, 'AUTH-DZG21', 'Errors.OriginNotAllowed');
/** `VerifyTokenAndCreateCtxData`: the organisation of `x-zitadel-orgid` (or the user's own) does not exist. */
export const ORG_NOT_FOUND = zitadelError(7, 'AUTH-Bs7Ds', "Organisation doesn't exist");
/** ZITADEL's `httpErrorHandler` (gateway.go): a known path with another method is 405 with code Unimplemented. */
export const METHOD_NOT_ALLOWED = grpcStatus(12, 'Method Not Allowed', 405);
