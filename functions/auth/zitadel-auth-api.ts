import { Errors, GrpcCode, isGrpcErrorCode, ZitadelError } from '../domain/errors.ts';

/** One of the user's manager memberships (`zitadel.user.v1.Membership` of ListMyMemberships). */
export interface ZitadelMembership {
  /** True for an instance membership (`iam: true`). */
  readonly iam: boolean;
  /** The organisation of an organisation membership (`orgId`). */
  readonly orgId?: string;
  /** `details.resourceOwner`: the organisation that owns the membership (also for project memberships), or the instance. */
  readonly resourceOwner?: string;
  readonly roles: readonly string[];
}

/** What ZITADEL's Auth API says about the caller of one token. */
export interface ZitadelAnswer {
  readonly userId: string;
  /** The user's own organisation (`user.details.resourceOwner`). */
  readonly userOrgId: string;
  /** Every manager membership of the user in the instance (organisations, projects, the instance). */
  readonly memberships: readonly ZitadelMembership[];
  /** `user.human.profile.preferredLanguage` (`und` when the user chose none); absent for machine users. */
  readonly preferredLanguage?: string;
}

export interface ZitadelAuthApiOptions {
  /** ZITADEL's API base URL (the issuer, or `ZITADEL_API_URL`). */
  readonly apiUrl: string;
  /** Bound on each of the two requests. */
  readonly timeoutMs?: number;
}

export const ZITADEL_TIMEOUT_MS = 2_000;
/** Larger answers are not ZITADEL's for a user: a user object is a few KB, a membership about 300 bytes (some 800 fit). */
const MAX_ANSWER_BYTES = 256 * 1024;
/** Longer error texts are not ZITADEL's; the answer is treated as not understood. */
const MAX_ERROR_TEXT = 1_000;

/**
 * ZITADEL's Auth API, asked with the caller's own token (`proto/zitadel/auth.proto`), both at once:
 * `GET /auth/v1/users/me` (GetMyUser) and `POST /auth/v1/memberships/me/_search` (ListMyMemberships, body `{}`:
 * no query, no limit, so every membership of the user in the instance; `internal/api/grpc/auth/permission.go`
 * filters by the user and the instance only). `x-zitadel-orgid` is forwarded with it: the handler ignores it,
 * but ZITADEL's auth interceptor refuses an organisation that does not exist (`AUTH-Bs7Ds`).
 * ZITADEL's own refusals (4xx with its error body) pass through as they are; no answer, a slow one, a 5xx or an
 * answer that is not ZITADEL's shape is `Unavailable`. Redirects are refused: the token goes nowhere else.
 */
export function createZitadelAuthApi({ apiUrl, timeoutMs = ZITADEL_TIMEOUT_MS }: ZitadelAuthApiOptions) {
  const meUrl = `${apiUrl}/auth/v1/users/me`;
  const membershipsUrl = `${apiUrl}/auth/v1/memberships/me/_search`;

  async function ask(url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      body = await readLimited(response, MAX_ANSWER_BYTES);
    } catch (err) {
      // ZITADEL answered, but more than any answer of its own: not ZITADEL's answer (AUTHZ-Zansw), not "unreachable".
      if (err instanceof AnswerTooLarge) throw Errors.zitadelAnswerInvalid(new Error(err.message));
      throw Errors.zitadelUnavailable(describe(err));
    }
    if (response.status >= 500) throw Errors.zitadelUnavailable(new Error(`ZITADEL answered ${response.status}`));
    const json = parseJson(body);
    if (response.status === 200 && json !== undefined) return json;
    if (response.status >= 400 && response.status < 500) {
      const refusal = zitadelRefusal(json);
      if (refusal !== undefined) throw refusal;
    }
    throw Errors.zitadelAnswerInvalid(new Error(`ZITADEL answered ${response.status} with a body that is not its shape`));
  }

  /**
   * Cold-start priming: one token-less request to ZITADEL's health endpoint, so that fetch's HTTP stack is
   * loaded and a TLS connection to ZITADEL is open before the first caller's lookup. Never rejects.
   */
  async function warmUp(): Promise<void> {
    try {
      const response = await fetch(`${apiUrl}/debug/healthz`, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
    } catch {
      // the first lookup will find out
    }
  }

  async function lookup(token: string, orgHeader: string | undefined, origin?: string): Promise<ZitadelAnswer> {
    const authorization = `Bearer ${token}`;
    // The browser's origin goes with the token, so that ZITADEL applies its own origin check (`checkOrigin` in
    // internal/api/authz/context.go): a token issued to an application, sent from an origin that application does
    // not allow, is refused with PermissionDenied `Errors.OriginNotAllowed (AUTH-DZG21)`, passed through as is.
    const originHeader = origin === undefined ? {} : { origin: sendableOrigin(origin) };
    const [me, memberships] = await Promise.allSettled([
      ask(meUrl, { method: 'GET', headers: { authorization, accept: 'application/json', ...originHeader } }),
      ask(membershipsUrl, {
        method: 'POST',
        headers: {
          authorization,
          accept: 'application/json',
          ...originHeader,
          'content-type': 'application/json',
          ...(orgHeader ? { 'x-zitadel-orgid': orgHeader } : {}),
        },
        body: '{}',
      }),
    ]);
    if (me.status === 'rejected') throw me.reason;
    if (memberships.status === 'rejected') throw memberships.reason;

    const user = field(me.value, 'user');
    const userId = field(user, 'id');
    const userOrgId = field(field(user, 'details'), 'resourceOwner');
    if (typeof userId !== 'string' || userId === '' || typeof userOrgId !== 'string') {
      throw Errors.zitadelAnswerInvalid(new Error('users/me without user.id or user.details.resourceOwner'));
    }
    const preferredLanguage = field(field(field(user, 'human'), 'profile'), 'preferredLanguage');
    return {
      userId,
      userOrgId,
      memberships: readMemberships(memberships.value),
      ...(typeof preferredLanguage === 'string' ? { preferredLanguage } : {}),
    };
  }

  return { lookup, warmUp };
}

export type ZitadelLookup = ReturnType<typeof createZitadelAuthApi>['lookup'];

/**
 * The refusals these two calls are meant to give, passed on as they are: the token (Unauthenticated), the
 * organisation or origin (PermissionDenied), the instance's quota (ResourceExhausted). Anything else (a 404
 * of a wrong API URL, say) is not an answer about the caller.
 */
const PASSED_THROUGH: ReadonlySet<number> = new Set([GrpcCode.Unauthenticated, GrpcCode.PermissionDenied, GrpcCode.ResourceExhausted]);

/** ZITADEL's error body (grpc-gateway status JSON) as a `ZitadelError` with ZITADEL's own code, id and text. */
function zitadelRefusal(json: unknown): ZitadelError | undefined {
  const code = field(json, 'code');
  const message = field(json, 'message');
  if (!isGrpcErrorCode(code) || !PASSED_THROUGH.has(code) || !isErrorText(message)) {
    return undefined;
  }
  const details = field(json, 'details');
  const detail = Array.isArray(details) ? (details as unknown[]).find((d) => typeof field(d, 'id') === 'string') : undefined;
  const id = detail === undefined ? '' : (field(detail, 'id') as string);
  const text = field(detail, 'message');
  if (!isErrorText(id) || (text !== undefined && !isErrorText(text))) {
    return undefined;
  }
  return new ZitadelError(code, id, typeof text === 'string' ? text : message, { message });
}

/** `ListMyMembershipsResponse.result`; protojson leaves an empty list (and every empty field) out. */
function readMemberships(answer: unknown): ZitadelMembership[] {
  const result = field(answer, 'result') ?? [];
  if (!Array.isArray(result)) throw Errors.zitadelAnswerInvalid(new Error('memberships result is not a list'));
  return (result as unknown[]).map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw Errors.zitadelAnswerInvalid(new Error('a membership that is not an object'));
    }
    const roles = field(entry, 'roles') ?? [];
    const orgId = field(entry, 'orgId');
    const resourceOwner = field(field(entry, 'details'), 'resourceOwner');
    if (
      !Array.isArray(roles) ||
      !roles.every((role) => typeof role === 'string') ||
      (orgId !== undefined && typeof orgId !== 'string') ||
      (resourceOwner !== undefined && typeof resourceOwner !== 'string')
    ) {
      throw Errors.zitadelAnswerInvalid(new Error('a membership that is not ZITADEL\'s shape'));
    }
    return {
      iam: field(entry, 'iam') === true,
      ...(orgId === undefined ? {} : { orgId }),
      ...(resourceOwner === undefined ? {} : { resourceOwner }),
      roles,
    };
  });
}

/**
 * A text ZITADEL's error could carry: bounded, and without control characters. The message of a passed-through
 * 401 becomes our `WWW-Authenticate` header, so a CR or LF in it would split the answer's headers.
 */
function isErrorText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ERROR_TEXT && !/\p{Cc}/u.test(value);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.hasOwn(value, name)
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What an HTTP field value may hold (RFC 9110: visible ASCII, space, tab, obs-text); fetch refuses anything else. */
const NOT_FIELD_VALUE = /[^\t\x20-\x7e\x80-\xff]/gu;

/**
 * The `Origin` as it can be sent: a character no HTTP field value may hold (a control character or DEL, which an
 * HTTP server refuses but an event may still carry, or one beyond U+00FF) is percent-encoded as its UTF-8 bytes.
 * fetch would refuse the whole request otherwise, and a caller's header would read as ZITADEL being unreachable
 * (503 AUTHZ-Zunav, the outage alarm). No browser sends such an origin; the encoded one matches no application's
 * origins, so ZITADEL still refuses a token issued to an application (AUTH-DZG21), and a PAT, which it never
 * checks against origins, still passes.
 */
function sendableOrigin(origin: string): string {
  return origin.replace(NOT_FIELD_VALUE, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

class AnswerTooLarge extends Error {}

/** The body as text, refusing (and cancelling) anything larger than `max` bytes. */
async function readLimited(response: Response, max: number): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) {
      await response.body.cancel().catch(() => undefined);
      throw new AnswerTooLarge(`answer larger than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A cause for the logs: a fixed description per kind of failure. Never the library's own message: undici's
 * quote the header values they refused.
 */
function describe(err: unknown): Error {
  if (err instanceof Error && err.name === 'TimeoutError') return new Error('no answer within the time allowed');
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return new Error(`network failure (${code})`);
  return new Error('request failed');
}
