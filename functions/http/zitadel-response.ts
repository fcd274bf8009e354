import type { Logger } from '@aws-lambda-powertools/logger';
import { Errors, GrpcCode, ZitadelError } from '../domain/errors.ts';
import { headersOf, type HttpEvent, type HttpMiddleware, type RequestContext } from './request-context.ts';
import type { ErrorTranslator } from './translations/translate-error.ts';

/** grpc-gateway's mapping of gRPC codes to HTTP statuses (`runtime.HTTPStatusFromCode`); ZITADEL's passed-through answers can carry any. */
export const HTTP_STATUS: Record<GrpcCode, number> = {
  [GrpcCode.Cancelled]: 499,
  [GrpcCode.Unknown]: 500,
  [GrpcCode.InvalidArgument]: 400,
  [GrpcCode.DeadlineExceeded]: 504,
  [GrpcCode.NotFound]: 404,
  [GrpcCode.AlreadyExists]: 409,
  [GrpcCode.PermissionDenied]: 403,
  [GrpcCode.ResourceExhausted]: 429,
  [GrpcCode.FailedPrecondition]: 400,
  [GrpcCode.Aborted]: 409,
  [GrpcCode.OutOfRange]: 400,
  [GrpcCode.Unimplemented]: 501,
  [GrpcCode.Internal]: 500,
  [GrpcCode.Unavailable]: 503,
  [GrpcCode.DataLoss]: 500,
  [GrpcCode.Unauthenticated]: 401,
};

/** Any error raised on the way becomes one of ours; nothing else is ever shown to a caller. */
export function toZitadelError(error: unknown): ZitadelError {
  if (error instanceof ZitadelError) return error;
  return Errors.internal(error);
}

/**
 * The failure as the caller reads it: one of ours, its text in the caller's language where ZITADEL translates
 * it (the user's preferred language, then `Accept-Language`, then the default). Both bindings render this.
 */
export function callerError(
  request: { readonly event: HttpEvent; readonly context: RequestContext; readonly error: unknown },
  translate: ErrorTranslator,
): ZitadelError {
  return translate(toZitadelError(request.error), {
    preferredLanguage: request.context.authorization?.preferredLanguage,
    acceptLanguage: headersOf(request.event)['accept-language'],
  });
}

export interface ErrorDetail {
  readonly '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail';
  readonly id: string;
  readonly message: string;
}

/**
 * ZITADEL's error body: grpc-gateway's status JSON with one `zitadel.v1.ErrorDetail`. An error without id is a
 * plain status without details (`auth header missing`, a body that does not decode), and ZITADEL's marshaler
 * (protojson without EmitUnpopulated) leaves the empty `details` list out: `{"code":16,"message":"auth header missing"}`.
 */
export function errorBody(error: ZitadelError): { code: number; message: string; details?: ErrorDetail[] } {
  if (error.id === '') return { code: error.code, message: error.message };
  return {
    code: error.code,
    message: error.message,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: error.id, message: error.text }],
  };
}

/**
 * grpc-gateway's `DefaultHTTPErrorHandler` (which ZITADEL's gateway uses) sets `WWW-Authenticate` to the status
 * message for every Unauthenticated answer, e.g. `WWW-Authenticate: auth header missing`.
 */
function authenticateHeader(error: ZitadelError): Record<string, string> {
  return error.code === GrpcCode.Unauthenticated ? { 'WWW-Authenticate': error.message } : {};
}

/**
 * Turns every failure into ZITADEL's error shape (rendered by middy's http-error-handler,
 * registered before this one) and writes one log line per request: who, where, what came of it.
 * A logged cause is its name and message only: never a stack, a body or a token (token failures
 * carry a fixed reason word, see TokenRejected).
 */
export const zitadelResponse = (logger: Logger, translate: ErrorTranslator): HttpMiddleware => ({
  name: 'zitadelResponse',
  after: (request) => {
    logger.info('action deactivated', { ...requestFields(request.event, request.context), outcome: 'deactivated' });
  },
  onError: (request) => {
    const error = toZitadelError(request.error);
    const status = HTTP_STATUS[error.code];
    // A plain status without id is always about the request itself (grpc-go calls a message it cannot decode
    // Internal): a rejection, not a failure of ours.
    const failed = status >= 500 && error.id !== '';
    const fields = {
      ...requestFields(request.event, request.context),
      outcome: failed ? 'failed' : 'rejected',
      status,
      errorId: error.id,
      cause: describeCause(error),
    };
    if (failed) logger.error('request failed', fields);
    else logger.info('request rejected', fields);

    // http-error-handler renders `message` as the body and sets Content-Type from its shape.
    request.error = Object.assign(new Error(JSON.stringify(errorBody(callerError(request, translate)))), {
      statusCode: status,
      expose: true,
      headers: authenticateHeader(error),
    });
  },
});

const MAX_LOGGED_ID = 200;

function requestFields(event: HttpEvent, context: RequestContext) {
  return {
    actionId: event.pathParameters?.id?.slice(0, MAX_LOGGED_ID),
    orgId: context.authorization?.orgId.slice(0, MAX_LOGGED_ID),
    userId: context.authorization?.userId,
  };
}

function describeCause({ cause }: ZitadelError): string | undefined {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
}
