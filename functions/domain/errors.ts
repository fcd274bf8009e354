/**
 * ZITADEL's error model: a gRPC status code, a stable error id (`AREA-xxxxx`) and an i18n message key.
 * The HTTP layer renders it as grpc-gateway does: `{code, message: "<key> (<id>)", details: [ErrorDetail]}`.
 * No AWS or HTTP types here: this is the vocabulary the business rules speak.
 */

/** gRPC status codes used by this API (google.rpc.Code). */
export const GrpcCode = {
  InvalidArgument: 3,
  NotFound: 5,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

export class ZitadelError extends Error {
  readonly code: GrpcCode;
  readonly id: string;
  /** The untranslated message key, e.g. `Errors.Action.NotFound`. */
  readonly key: string;

  constructor(code: GrpcCode, id: string, key: string, options?: { cause?: unknown }) {
    super(`${key} (${id})`, options);
    this.name = 'ZitadelError';
    this.code = code;
    this.id = id;
    this.key = key;
  }
}

/** A factory for one error, carrying its stable `id` so code can compare without building one. */
const define = (code: GrpcCode, id: string, key: string) =>
  Object.assign((cause?: unknown) => new ZitadelError(code, id, key, cause === undefined ? undefined : { cause }), {
    id,
  });

/**
 * Every error a caller can see, one id per cause. Ids marked ZITADEL are ZITADEL's own;
 * the others are ours and documented in the README. Never reuse an id for a second cause.
 */
export const Errors = {
  // ZITADEL (auth interceptor): any token failure.
  tokenInvalid: define(GrpcCode.Unauthenticated, 'AUTH-7fs1e', 'Errors.Token.Invalid'),
  // ZITADEL (auth interceptor): valid token, no matching permission in the organisation.
  permissionDenied: define(GrpcCode.PermissionDenied, 'AUTH-5mWD2', 'No matching permissions found'),
  // ZITADEL (Commands.DeactivateAction).
  idMissing: define(GrpcCode.InvalidArgument, 'COMMAND-DAhk5', 'Errors.IDMissing'),
  actionNotFound: define(GrpcCode.NotFound, 'COMMAND-NRmhu', 'Errors.Action.NotFound'),
  actionNotActive: define(GrpcCode.FailedPrecondition, 'COMMAND-Dgj92', 'Errors.Action.NotActive'),

  // Ours: request validation.
  idTooLong: define(GrpcCode.InvalidArgument, 'REQUEST-Id2lg', 'Errors.Action.IDTooLong'),
  idInvalidCharacters: define(GrpcCode.InvalidArgument, 'REQUEST-Idch4', 'Errors.Action.IDInvalidCharacters'),
  orgIdInvalid: define(GrpcCode.InvalidArgument, 'REQUEST-0rg1d', 'Errors.Org.IDInvalid'),
  bodyMalformed: define(GrpcCode.InvalidArgument, 'REQUEST-B0dyj', 'Errors.Request.BodyMalformed'),
  bodyNotObject: define(GrpcCode.InvalidArgument, 'REQUEST-B0dyo', 'Errors.Request.BodyNotObject'),
  // Ours: dependencies.
  keySetUnavailable: define(GrpcCode.Unavailable, 'AUTH-Jwks5', 'Errors.Token.KeySetUnavailable'),
  storageUnavailable: define(GrpcCode.Unavailable, 'STORE-Dyn14', 'Errors.Storage.Unavailable'),
  timeout: define(GrpcCode.Unavailable, 'API-T1me0', 'Errors.Request.Timeout'),
  // Ours: anything unexpected. Details stay in the logs, never in the response.
  internal: define(GrpcCode.Internal, 'API-1nt3r', 'Errors.Internal'),
} as const;
