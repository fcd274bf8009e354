import type { Logger } from '@aws-lambda-powertools/logger';
import { Errors, GrpcCode, ZitadelError } from '../domain/errors.ts';
import type { HttpMiddleware, HttpEvent, RequestContext } from './request-context.ts';
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

const JSON_BODY_PARSER = '@middy/http-json-body-parser';

/** Any error raised on the way becomes one of ours; nothing else is ever shown to a caller. */
export function toZitadelError(error: unknown): ZitadelError {
  if (error instanceof ZitadelError) return error;
  const cause = (error as { cause?: { package?: unknown } } | undefined)?.cause;
  if (cause?.package === JSON_BODY_PARSER) return Errors.bodyMalformed(error);
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
  const headers = request.event.headers as HttpEvent['headers'] | undefined;
  return translate(toZitadelError(request.error), {
    preferredLanguage: request.context.authorization?.preferredLanguage,
    acceptLanguage: headers?.['accept-language'],
  });
}

/** ZITADEL's error body: grpc-gateway's status JSON with one `zitadel.v1.ErrorDetail` (none for an error without id). */
export function errorBody(error: ZitadelError) {
  return {
    code: error.code,
    message: error.message,
    details: error.id === '' ? [] : [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: error.id, message: error.text }],
  };
}

/** RFC 6750 §3: a 401 names the scheme; `invalid_token` once a token was presented. */
function authenticateHeader(error: ZitadelError): Record<string, string> {
  if (error.code !== GrpcCode.Unauthenticated) return {};
  return { 'WWW-Authenticate': error.id === '' ? 'Bearer' : 'Bearer error="invalid_token"' };
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
    const fields = {
      ...requestFields(request.event, request.context),
      outcome: status >= 500 ? 'failed' : 'rejected',
      status,
      errorId: error.id,
      cause: describeCause(error),
    };
    if (status >= 500) logger.error('request failed', fields);
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
