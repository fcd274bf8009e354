/**
 * The Auth API calls the function makes, answered as ZITADEL answers them:
 * `GET /auth/v1/users/me` (`GetMyUser`) and `POST /auth/v1/memberships/me/_search` (`ListMyMemberships`),
 * plus `POST /auth/v1/permissions/zitadel/me/_search` (`ListMyZitadelPermissions`, which the function no longer
 * asks, kept for the console-like checks of the dev tools); all `permission: "authenticated"` in
 * `proto/zitadel/auth.proto`, so all go through ZITADEL's authorization interceptor first.
 */
import type { DevSigningKey } from '../dev-issuer.ts';
import {
  AUTH_HEADER_MISSING,
  INVALID_AUTH_HEADER,
  ORG_NOT_FOUND,
  ORIGIN_NOT_ALLOWED,
  TOKEN_INVALID,
  type GatewayError,
} from './gateway-errors.ts';
import { ROLE_PERMISSIONS } from './role-permissions.ts';
import type { Application, DevZitadelState, TokenRecord } from './store.ts';
import { jwtKey, opaqueKey, readOwnJwt } from './tokens.ts';

/** The dev instance's id: the resource owner of instance memberships. */
export const DEV_INSTANCE_ID = '300000000000000000';

export interface Instance {
  readonly issuer: string;
  readonly key: DevSigningKey;
  /** The id of the instance's own ZITADEL project: an access token must carry it in `aud` to call ZITADEL's APIs. */
  readonly zitadelProjectId: string;
}

/** What ZITADEL's interceptor puts in the context (`authz.CtxData`). */
export interface CallerContext {
  readonly userId: string;
  /** `x-zitadel-orgid`, else the user's own organisation. */
  readonly orgId: string;
}

/**
 * `authorize` (auth_interceptor.go) and `VerifyTokenAndCreateCtxData` (authz/context.go), in their
 * order: header present; `"Bearer "` split into exactly two parts; the token active (known, not
 * revoked, not expired) with ZITADEL's project in its audience unless it is a PAT
 * (`verifyAccessTokenV1`); for a token issued to an application, the request's `Origin` (if any)
 * one of that application's (`checkOrigin`); the organisation exists.
 */
export function authorize(
  instance: Instance,
  state: DevZitadelState,
  authorization: string | undefined,
  orgHeader: string | undefined,
  now = Date.now(),
  origin?: string,
): CallerContext | GatewayError {
  if (!authorization) return AUTH_HEADER_MISSING;
  const parts = authorization.split('Bearer ');
  if (parts.length !== 2) return INVALID_AUTH_HEADER;
  const token = parts[1] ?? '';

  const record = findToken(instance, state, token, now);
  if (record === undefined || record.revoked || record.expiresAt <= now) return TOKEN_INVALID;
  if (record.type !== 'pat' && !record.audience.includes(instance.zitadelProjectId)) return TOKEN_INVALID;
  const user = state.users[record.userId];
  // A removed or deactivated user's tokens are no longer active in ZITADEL.
  if (user === undefined || user.state === 'USER_STATE_INACTIVE') return TOKEN_INVALID;
  // ZITADEL checks origins only for tokens issued through an application (a PAT has no client id), and only
  // when the request has an Origin; an exact match against the application's list.
  if (record.clientId !== undefined && origin) {
    if (!allowedOrigins(state.applications?.[record.clientId]).includes(origin)) return ORIGIN_NOT_ALLOWED;
  }

  const orgId = orgHeader ? orgHeader : user.orgId;
  if (!Object.hasOwn(state.organizations, orgId)) return ORG_NOT_FOUND;
  return { userId: record.userId, orgId };
}

/**
 * `domain.OIDCOriginAllowList`: the origin (`scheme://host`) of each redirect URI, then the additional origins,
 * each once. An application unknown here allows none.
 */
export function allowedOrigins(application: Application | undefined): string[] {
  const list: string[] = [];
  for (const uri of application?.redirectUris ?? []) {
    const url = URL.parse(uri);
    const origin = url === null ? undefined : `${url.protocol}//${url.host}`;
    if (origin !== undefined && !list.includes(origin)) list.push(origin);
  }
  for (const origin of application?.additionalOrigins ?? []) if (!list.includes(origin)) list.push(origin);
  return list;
}

/** Like `getTokenIDAndSubject`: an opaque token first, else a JWT signed by this instance. */
function findToken(instance: Instance, state: DevZitadelState, token: string, now: number): TokenRecord | undefined {
  const opaque = state.tokens[opaqueKey(token)];
  if (opaque !== undefined && opaque.type !== 'jwt') return opaque;
  const jwt = readOwnJwt(instance.key, instance.issuer, token, now);
  if (jwt === undefined) return undefined;
  const record = state.tokens[jwtKey(jwt.jti)];
  return record?.type === 'jwt' && record.userId === jwt.sub ? record : undefined;
}

/**
 * `GetMyUserResponse` through protojson (camelCase names, empty fields left out): ZITADEL's
 * `UserToPb` (`internal/api/grpc/user/converter.go`). ZITADEL's `GetMyUser` never sets
 * `last_login`, so it is absent.
 */
export function getMyUser(state: DevZitadelState, caller: CallerContext): unknown {
  const user = state.users[caller.userId];
  if (user === undefined) return {};
  const org = state.organizations[user.orgId];
  const loginName = `${user.userName}@${org?.domain ?? 'localhost'}`;
  return {
    user: {
      id: caller.userId,
      details: {
        sequence: String(user.sequence),
        creationDate: user.creationDate,
        changeDate: user.changeDate,
        resourceOwner: user.orgId,
      },
      state: user.state ?? 'USER_STATE_ACTIVE',
      userName: user.userName,
      loginNames: [loginName],
      preferredLoginName: loginName,
      ...(user.machine
        ? // Machine{name, description, has_secret, access_token_type}: BEARER is the enum's 0, so left out.
          { machine: { name: user.userName } }
        : {
            human: {
              profile: { firstName: 'Dev', lastName: user.userName, displayName: `Dev ${user.userName}`, preferredLanguage: user.preferredLanguage ?? 'en' },
              email: { email: loginName, isEmailVerified: true },
              phone: {},
            },
          }),
    },
  };
}

/**
 * `MyZitadelPermissions` (internal/query/user_permission.go): the user's memberships on the
 * organisation of the context and on the instance, each role mapped through the role → permission
 * mapping, each permission once (`domain.Permissions.AppendPermissions`). protojson leaves out the
 * empty list: no permission is `{}`.
 */
export function listMyZitadelPermissions(state: DevZitadelState, caller: CallerContext): { result?: string[] } {
  const permissions: string[] = [];
  for (const membership of state.memberships) {
    if (membership.userId !== caller.userId) continue;
    if (membership.orgId !== undefined && membership.orgId !== caller.orgId) continue;
    for (const role of membership.roles) {
      for (const permission of ROLE_PERMISSIONS[role] ?? []) {
        if (!permissions.includes(permission)) permissions.push(permission);
      }
    }
  }
  return permissions.length === 0 ? {} : { result: permissions };
}

/**
 * `ListMyMembershipsResponse` (internal/api/grpc/auth/permission.go → `user_grpc.MembershipsToMembershipsPb`):
 * every manager membership of the user in the instance, whatever `x-zitadel-orgid` says (the query filters by user
 * and instance only; the interceptor has already refused an organisation that does not exist). Each carries
 * `userId`, `details.resourceOwner` (the organisation, or the instance), `roles`, `displayName` and `orgId` or
 * `iam: true`. protojson leaves out what is empty: no membership is `{"details":{…}}` without `result`. The dev
 * store keeps no sequence or dates per membership, so `details` holds the resource owner only.
 */
export function listMyMemberships(state: DevZitadelState, caller: CallerContext, now = new Date()): unknown {
  const user = state.users[caller.userId];
  const displayName = user === undefined || user.machine ? user?.userName : `Dev ${user.userName}`;
  const result = state.memberships
    .filter((membership) => membership.userId === caller.userId)
    .map((membership) => ({
      userId: membership.userId,
      details: { resourceOwner: membership.orgId ?? DEV_INSTANCE_ID },
      roles: [...membership.roles],
      ...(displayName === undefined ? {} : { displayName }),
      ...(membership.orgId === undefined ? { iam: true } : { orgId: membership.orgId }),
    }));
  // ListDetails { total_result, processed_sequence, view_timestamp }: a zero total is left out.
  const details = { ...(result.length === 0 ? {} : { totalResult: String(result.length) }), viewTimestamp: now.toISOString() };
  return result.length === 0 ? { details } : { details, result };
}
