/**
 * A dev ZITADEL: the parts of a ZITADEL instance the function talks to, over real HTTP, with
 * ZITADEL's shapes, codes and error bodies: the key set and discovery document, and the Auth API's
 * `users/me`, `memberships/me/_search` and `permissions/zitadel/me/_search`. It knows organisations, users, manager
 * memberships and tokens (JWT access tokens, opaque access tokens, PATs), which can be revoked.
 *
 * `createDevZitadel` is mounted by the local server (`npm start`), its state in the data folder so
 * the token CLI (another process) can add to it; `startDevZitadel` runs one on its own loopback
 * port, in memory, for tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEV_PROJECT_ID, generateSigningKey, jwks, loadOrCreateSigningKey, type DevSigningKey } from '../dev-issuer.ts';
import { authorize, getMyUser, listMyMemberships, listMyZitadelPermissions, type Instance } from './auth-api.ts';
import { grpcStatus, METHOD_NOT_ALLOWED, type GatewayError } from './gateway-errors.ts';
import { isInstanceRole } from './role-permissions.ts';
import { StateStore } from './store.ts';
import {
  mintJwt,
  jwtKey,
  newOpaqueToken,
  opaqueKey,
  ORG_DOMAIN_CLAIM,
  ORG_ID_CLAIM,
  ORG_NAME_CLAIM,
  PROJECT_ROLES_CLAIM,
  projectRolesClaim,
  readOwnJwt,
} from './tokens.ts';

/** The project the function's tokens are issued for (`ZITADEL_PROJECT_ID` / `ZITADEL_AUDIENCE`). */
export { DEV_PROJECT_ID };
/** The instance's own ZITADEL project (the `urn:zitadel:iam:org:project:id:zitadel:aud` scope adds it to `aud`). */
export const ZITADEL_PROJECT_ID = '300000000000000002';
/** The OIDC application of the dev project that "requested" the tokens (ZITADEL client ids are `<id>@<project>`). */
export const DEV_CLIENT_ID = '300000000000000003@deactivate-action';

export const USERS_ME_PATH = '/auth/v1/users/me';
export const PERMISSIONS_PATH = '/auth/v1/permissions/zitadel/me/_search';
export const MEMBERSHIPS_PATH = '/auth/v1/memberships/me/_search';
const HOUR = 3600;
/** ZITADEL's PATs without an expiration date last until 9999; a year is long enough here. */
const PAT_DEFAULT_TTL_SECONDS = 365 * 24 * HOUR;

export interface JwtOptions {
  ttlSeconds?: number;
  /** Claims mode: project roles, role → organisation ids, in both of ZITADEL's roles claims. */
  roles?: Record<string, string[]>;
  /** Adds `urn:zitadel:iam:user:resourceowner:{id,name,primary_domain}` (scope `urn:zitadel:iam:user:resourceowner`). */
  withOrgClaim?: boolean;
  /** Replaces the audience (default: the project, ZITADEL's project, the client id). */
  audience?: string[];
  /** A legacy (v1) access token, whose id has no `V2_` prefix: the only kind ZITADEL keeps a preferred language for. */
  v1?: boolean;
}

export interface DevZitadel {
  /** Answers the request if the route is the dev ZITADEL's; `false` leaves it to the caller. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  readonly issuer: string;
  readonly projectId: string;
  /** Requests per route since start, answered or refused. */
  readonly stats: { jwks: number; discovery: number; usersMe: number; permissions: number; memberships: number };
  addOrganization(orgId: string, name?: string): void;
  /** `preferredLanguage`: a human's profile language (default `en`; ZITADEL's `und` is "none chosen"). */
  addUser(user: { id: string; orgId: string; userName?: string; machine?: boolean; preferredLanguage?: string }): void;
  /** `IAM_*` roles are instance memberships whatever `orgId` says; other roles need an organisation. */
  addMembership(userId: string, membership: { role: string; orgId?: string }): void;
  /** Takes one role away; a membership left without roles is removed, as ZITADEL does. */
  removeMembership(userId: string, membership: { role: string; orgId?: string }): void;
  /**
   * ZITADEL's user deactivation: every token the user holds stops working (the token view marks
   * them deactivated on `user.deactivated`) and stays so after a reactivation; no new token is issued.
   */
  deactivateUser(userId: string): void;
  reactivateUser(userId: string): void;
  hasOrganization(orgId: string): boolean;
  /** The users of an organisation, oldest first. */
  usersOf(orgId: string): string[];
  /** The organisation of a user, `undefined` for an unknown user. */
  userOrg(userId: string): string | undefined;
  /** The manager roles of a user that count in `orgId`: its memberships there and on the instance. */
  rolesIn(userId: string, orgId: string): string[];
  issueJwt(userId: string, options?: JwtOptions): string;
  issueOpaque(userId: string, options?: { ttlSeconds?: number; audience?: string[] }): string;
  createPat(userId: string, options?: { ttlSeconds?: number }): string;
  /** `false` when the token is unknown (or expired and forgotten). */
  revoke(token: string): boolean;
  /**
   * Sets an application's redirect URIs and additional origins: a JWT or opaque token (issued to `DEV_CLIENT_ID`)
   * is accepted from a browser only on those origins (ZITADEL's `AUTH-DZG21`). Unconfigured: no origin.
   */
  configureApplication(clientId: string, application: { redirectUris?: string[]; additionalOrigins?: string[] }): void;
}

export interface DevZitadelOptions {
  issuer: string;
  /** Keeps the key and the state in this data folder (`dev-issuer/`, `dev-zitadel/state.json`). */
  dataDir?: string;
  projectId?: string;
  /** The signing key to use instead of the data folder's or a fresh one. */
  key?: DevSigningKey;
}

export const stateFilePath = (dataDir: string) => join(dataDir, 'dev-zitadel', 'state.json');

export function createDevZitadel(options: DevZitadelOptions): DevZitadel {
  const issuer = options.issuer.replace(/\/+$/, '');
  const projectId = options.projectId ?? DEV_PROJECT_ID;
  const key = options.key ?? (options.dataDir === undefined ? generateSigningKey() : loadOrCreateSigningKey(options.dataDir).key);
  const store = new StateStore(options.dataDir === undefined ? undefined : stateFilePath(options.dataDir));
  const instance: Instance = { issuer, key, zitadelProjectId: ZITADEL_PROJECT_ID };
  const stats = { jwks: 0, discovery: 0, usersMe: 0, permissions: 0, memberships: 0 };
  const defaultAudience = () => [projectId, ZITADEL_PROJECT_ID, DEV_CLIENT_ID];

  const userOf = (userId: string) => {
    const user = store.read().users[userId];
    if (user === undefined) throw new Error(`unknown user ${userId}`);
    if (user.state === 'USER_STATE_INACTIVE') throw new Error(`user ${userId} is deactivated`);
    return user;
  };
  const setUserState = (userId: string, state: 'USER_STATE_ACTIVE' | 'USER_STATE_INACTIVE') =>
    store.update((current) => {
      const user = current.users[userId];
      if (user === undefined) throw new Error(`unknown user ${userId}`);
      if ((user.state ?? 'USER_STATE_ACTIVE') === state) return;
      user.state = state;
      user.sequence += 1;
      user.changeDate = new Date().toISOString();
      if (state === 'USER_STATE_INACTIVE') {
        for (const token of Object.values(current.tokens)) if (token.userId === userId) token.revoked = true;
      }
    });
  const domainOf = (orgId: string) => store.read().organizations[orgId]?.domain ?? `${orgId}.localhost`;

  const storeOpaque = (type: 'opaque' | 'pat', userId: string, ttlSeconds: number, audience: string[]) => {
    userOf(userId);
    const token = newOpaqueToken();
    const expiresAt = Date.now() + ttlSeconds * 1000;
    store.update((state) => {
      state.tokens[opaqueKey(token)] = { type, userId, audience, expiresAt, revoked: false, ...(type === 'opaque' ? { clientId: DEV_CLIENT_ID } : {}) };
    });
    return token;
  };

  // async: a thrown error becomes a rejected promise, which the servers mounting it answer with a 500.
  // eslint-disable-next-line @typescript-eslint/require-await
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?', 1)[0];
    switch (path) {
      case '/oauth/v2/keys':
        if (method !== 'GET') return false;
        stats.jwks++;
        send(res, 200, jwks(key));
        return true;
      case '/.well-known/openid-configuration':
        if (method !== 'GET') return false;
        stats.discovery++;
        send(res, 200, { issuer, jwks_uri: `${issuer}/oauth/v2/keys`, id_token_signing_alg_values_supported: ['ES256'] });
        return true;
      case USERS_ME_PATH:
      case MEMBERSHIPS_PATH:
      case PERMISSIONS_PATH: {
        const isUsersMe = path === USERS_ME_PATH;
        if (isUsersMe) stats.usersMe++;
        else if (path === MEMBERSHIPS_PATH) stats.memberships++;
        else stats.permissions++;
        // The request body (a query, for memberships) is not read: the function sends none.
        req.resume();
        if (method !== (isUsersMe ? 'GET' : 'POST')) return sendError(res, METHOD_NOT_ALLOWED);
        const state = store.read();
        const caller = authorize(instance, state, req.headers.authorization, header(req, 'x-zitadel-orgid'), Date.now(), header(req, 'origin'));
        if ('status' in caller) return sendError(res, caller);
        if (isUsersMe) send(res, 200, getMyUser(state, caller));
        else send(res, 200, path === MEMBERSHIPS_PATH ? listMyMemberships(state, caller) : listMyZitadelPermissions(state, caller));
        return true;
      }
      default:
        return false;
    }
  }

  return {
    handle,
    issuer,
    projectId,
    stats,
    addOrganization(orgId, name) {
      store.update((state) => {
        if (Object.hasOwn(state.organizations, orgId)) return;
        const orgName = name ?? `org-${orgId}`;
        state.organizations[orgId] = { name: orgName, domain: `${orgName.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}.localhost` };
      });
    },
    addUser({ id, orgId, userName, machine = false, preferredLanguage }) {
      store.update((state) => {
        if (!Object.hasOwn(state.organizations, orgId)) throw new Error(`unknown organisation ${orgId}`);
        if (Object.hasOwn(state.users, id)) return;
        const now = new Date().toISOString();
        state.users[id] = {
          orgId,
          state: 'USER_STATE_ACTIVE',
          userName: userName ?? (machine ? `svc-${id}` : `user-${id}`),
          machine,
          ...(preferredLanguage === undefined ? {} : { preferredLanguage }),
          sequence: 1,
          creationDate: now,
          changeDate: now,
        };
      });
    },
    addMembership(userId, { role, orgId }) {
      const target = isInstanceRole(role) ? undefined : orgId;
      if (!isInstanceRole(role) && orgId === undefined) throw new Error(`${role} is an organisation role: name the organisation`);
      store.update((state) => {
        if (!Object.hasOwn(state.users, userId)) throw new Error(`unknown user ${userId}`);
        if (target !== undefined && !Object.hasOwn(state.organizations, target)) throw new Error(`unknown organisation ${target}`);
        const existing = state.memberships.find((m) => m.userId === userId && m.orgId === target);
        if (existing === undefined) state.memberships.push({ userId, ...(target === undefined ? {} : { orgId: target }), roles: [role] });
        else if (!existing.roles.includes(role)) existing.roles.push(role);
      });
    },
    removeMembership(userId, { role, orgId }) {
      const target = isInstanceRole(role) ? undefined : orgId;
      store.update((state) => {
        const index = state.memberships.findIndex((m) => m.userId === userId && m.orgId === target);
        const membership = state.memberships[index];
        if (membership === undefined) return;
        membership.roles = membership.roles.filter((r) => r !== role);
        if (membership.roles.length === 0) state.memberships.splice(index, 1);
      });
    },
    deactivateUser: (userId) => setUserState(userId, 'USER_STATE_INACTIVE'),
    reactivateUser: (userId) => setUserState(userId, 'USER_STATE_ACTIVE'),
    hasOrganization: (orgId) => Object.hasOwn(store.read().organizations, orgId),
    userOrg: (userId) => store.read().users[userId]?.orgId,
    rolesIn: (userId, orgId) =>
      store.read().memberships.filter((m) => m.userId === userId && (m.orgId === undefined || m.orgId === orgId)).flatMap((m) => m.roles),
    usersOf: (orgId) => Object.entries(store.read().users).filter(([, user]) => user.orgId === orgId).map(([id]) => id),
    issueJwt(userId, { ttlSeconds = HOUR, roles, withOrgClaim = false, audience, v1 = false } = {}) {
      const user = userOf(userId);
      const claims: Record<string, unknown> = {};
      if (roles !== undefined) {
        const value = Object.fromEntries(Object.entries(roles).map(([role, orgs]) => [role, Object.fromEntries(orgs.map((org) => [org, domainOf(org)]))]));
        claims[PROJECT_ROLES_CLAIM] = value;
        claims[projectRolesClaim(projectId)] = value;
      }
      if (withOrgClaim) {
        const org = store.read().organizations[user.orgId];
        claims[ORG_ID_CLAIM] = user.orgId;
        claims[ORG_NAME_CLAIM] = org?.name ?? '';
        claims[ORG_DOMAIN_CLAIM] = domainOf(user.orgId);
      }
      const aud = audience ?? defaultAudience();
      const minted = mintJwt(key, { issuer, subject: userId, audience: aud, clientId: DEV_CLIENT_ID, ttlSeconds, claims, v1 });
      store.update((state) => {
        state.tokens[jwtKey(minted.jti)] = { type: 'jwt', userId, audience: aud, expiresAt: minted.expiresAt, revoked: false, clientId: DEV_CLIENT_ID };
      });
      return minted.token;
    },
    issueOpaque: (userId, { ttlSeconds = HOUR, audience } = {}) => storeOpaque('opaque', userId, ttlSeconds, audience ?? defaultAudience()),
    createPat: (userId, { ttlSeconds = PAT_DEFAULT_TTL_SECONDS } = {}) => storeOpaque('pat', userId, ttlSeconds, []),
    configureApplication(clientId, { redirectUris = [], additionalOrigins = [] }) {
      store.update((state) => {
        state.applications = { ...state.applications, [clientId]: { redirectUris, additionalOrigins } };
      });
    },
    revoke(token) {
      // A JWT is revoked by its id; its signature stays valid, only ZITADEL stops accepting it.
      const jwt = readOwnJwt(key, issuer, token, 0);
      const id = jwt === undefined ? opaqueKey(token) : jwtKey(jwt.jti);
      return store.update((state) => {
        const record = state.tokens[id];
        if (record === undefined) return false;
        record.revoked = true;
        return true;
      });
    },
  };
}

/** A dev ZITADEL on its own loopback port, in memory: for tests. */
export async function startDevZitadel(options: { projectId?: string } = {}): Promise<DevZitadel & { url: string; close(): Promise<void> }> {
  let devZitadel: DevZitadel | undefined;
  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    void (devZitadel?.handle(req, res) ?? Promise.resolve(false)).then(
      (handled) => {
        // grpc-gateway's DefaultRoutingErrorHandler for an unknown path.
        if (!handled) sendError(res, grpcStatus(5, 'Not Found', 404));
      },
      () => sendError(res, grpcStatus(13, 'Internal Server Error')),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  devZitadel = createDevZitadel({ issuer: url, ...options });
  return Object.assign(devZitadel, {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** One header value; a repeated header is not an organisation id. */
function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(res: ServerResponse, error: GatewayError): true {
  if (!res.headersSent) send(res, error.status, error.body);
  return true;
}
