/**
 * ZITADEL's error model: a gRPC status code, a stable error id (`AREA-xxxxx`) and a message text.
 * Bindings render it as ZITADEL does: JSON `{code, message: "<text> (<id>)", details: [ErrorDetail{id, message: text}]}`,
 * gRPC-web `grpc-status`/`grpc-message`. No AWS or HTTP types here: this is the vocabulary the business rules speak.
 */

/** gRPC status codes (google.rpc.Code). ZITADEL's own answers can carry any of them. */
export const GrpcCode = {
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;
export type GrpcCode = (typeof GrpcCode)[keyof typeof GrpcCode];

export const isGrpcErrorCode = (value: unknown): value is GrpcCode =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 16;

export class ZitadelError extends Error {
  readonly code: GrpcCode;
  /** The error id (`COMMAND-NRmhu`); '' for the few errors ZITADEL sends without one (`auth header missing`). */
  readonly id: string;
  /** The message text without the id, as ZITADEL puts it in the `ErrorDetail`. */
  readonly text: string;

  /**
   * `message` defaults to ZITADEL's rendering, `<text> (<id>)`; an error passed through from ZITADEL keeps the
   * message it came with.
   */
  constructor(code: GrpcCode, id: string, text: string, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? (id === '' ? text : `${text} (${id})`), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZitadelError';
    this.code = code;
    this.id = id;
    this.text = text;
  }
}

/** A factory for one error, carrying its stable `id` so code can compare without building one. */
const define = (code: GrpcCode, id: string, text: string) =>
  Object.assign((cause?: unknown) => new ZitadelError(code, id, text, cause === undefined ? undefined : { cause }), {
    id,
  });

/**
 * Every error this function raises itself, one id per cause. Ids marked ZITADEL are ZITADEL's own, with its
 * text: errors of the command carry ZITADEL's i18n key and pass its translation (the bindings render them in
 * the caller's language), errors of the auth interceptor keep their text untranslated. The others are ours and documented in the README. Never reuse an id
 * of ours for a second cause.
 */
export const Errors = {
  // ZITADEL (auth interceptor, untranslated).
  authHeaderMissing: define(GrpcCode.Unauthenticated, '', 'auth header missing'),
  invalidAuthHeader: define(GrpcCode.Unauthenticated, 'AUTH-7fs1e', 'invalid auth header'),
  tokenInvalid: define(GrpcCode.Unauthenticated, 'AUTH-7fs1e', 'Errors.Token.Invalid'),
  /** `x-zitadel-orgid` names no organisation (ZITADEL's `VerifyTokenAndCreateCtxData`, after the token). */
  orgNotFound: define(GrpcCode.PermissionDenied, 'AUTH-Bs7Ds', "Organisation doesn't exist"),
  membershipNotFound: define(GrpcCode.NotFound, 'AUTHZ-cdgFk', 'membership not found'),
  permissionDenied: define(GrpcCode.PermissionDenied, 'AUTH-5mWD2', 'No matching permissions found'),
  // ZITADEL (Commands.DeactivateAction): i18n keys, translated by the bindings (see TRANSLATED_ERROR_IDS).
  idMissing: define(GrpcCode.InvalidArgument, 'COMMAND-DAhk5', 'Errors.IDMissing'),
  actionNotFound: define(GrpcCode.NotFound, 'COMMAND-NRmhu', 'Errors.Action.NotFound'),
  actionNotActive: define(GrpcCode.FailedPrecondition, 'COMMAND-Dgj92', 'Errors.Action.NotActive'),

  // Decoding the request, before any check (a plain gRPC status: no id, no details, never translated).
  /**
   * JSON route: the body does not decode into `DeactivateActionRequest`. grpc-gateway answers
   * `status.Errorf(codes.InvalidArgument, "%v", err)` with protojson's message (see http/json-request.ts).
   */
  requestUndecodable: (message: string) => new ZitadelError(GrpcCode.InvalidArgument, '', message),
  /** gRPC-web: grpc-go's codec error, `status.Errorf(codes.Internal, "grpc: error unmarshalling request: %v", err)`. */
  messageUndecodable: (reason: string) => new ZitadelError(GrpcCode.Internal, '', `grpc: error unmarshalling request: ${reason}`),

  // Ours: request validation.
  /** JSON route: the body is not JSON at all (Go's encoding/json texts are not reproduced). */
  bodyMalformed: define(GrpcCode.InvalidArgument, 'REQUEST-B0dyj', 'Errors.Request.BodyMalformed'),
  /** gRPC-web: the body is not exactly one uncompressed, complete data frame (or not valid base64 for -text). */
  grpcWebFrameMalformed: define(GrpcCode.InvalidArgument, 'REQUEST-GwFrm', 'Errors.Request.GrpcWebFrameMalformed'),
  // Ours: dependencies.
  keySetUnavailable: define(GrpcCode.Unavailable, 'AUTH-Jwks5', 'Errors.Token.KeySetUnavailable'),
  zitadelUnavailable: define(GrpcCode.Unavailable, 'AUTHZ-Zunav', 'Errors.Authz.ZitadelUnavailable'),
  zitadelAnswerInvalid: define(GrpcCode.Unavailable, 'AUTHZ-Zansw', 'Errors.Authz.ZitadelAnswerInvalid'),
  storageUnavailable: define(GrpcCode.Unavailable, 'STORE-Dyn14', 'Errors.Storage.Unavailable'),
  timeout: define(GrpcCode.Unavailable, 'API-T1me0', 'Errors.Request.Timeout'),
  /**
   * Security finding 4: an action item whose `sequence` is not a non-negative integer number or whose
   * `creationDate` is not a string (data corruption, never written by ZITADEL or us). Such an item is never
   * written to; the details go to the logs.
   */
  storageItemMalformed: define(GrpcCode.Internal, 'STORE-Itm13', 'Errors.Storage.ItemMalformed'),
  // Ours: anything unexpected. Details stay in the logs, never in the response.
  internal: define(GrpcCode.Internal, 'API-1nt3r', 'Errors.Internal'),
} as const;

/**
 * The errors ZITADEL raises below its translation interceptor (the command's): their text is an i18n key the
 * bindings render in the caller's language. Everything else keeps its text, as ZITADEL's auth interceptor's
 * errors (`Errors.Token.Invalid`, `membership not found`) do.
 */
export const TRANSLATED_ERROR_IDS: ReadonlySet<string> = new Set([Errors.idMissing.id, Errors.actionNotFound.id, Errors.actionNotActive.id]);
