import type { Authorizer } from '../domain/authorization.ts';
import type { RolePermissions } from '../domain/permissions.ts';
import { createClaimsAuthorizer } from './claims-authorizer.ts';
import { createJwtVerifier, type TokenVerifierConfig } from './token-verifier.ts';
import { createZitadelAuthApi } from './zitadel-auth-api.ts';
import { createZitadelAuthorizer, type AuthorizerTelemetry } from './zitadel-authorizer.ts';

/** What the auth factory needs, and nothing else of the function's configuration. */
export interface AuthorizerOptions extends TokenVerifierConfig {
  readonly authzMode: 'zitadel' | 'claims';
  /** Claims mode: the project whose role claim is read. */
  readonly projectId: string;
  /** Zitadel mode: ZITADEL's API base URL. */
  readonly apiUrl: string;
  /** Zitadel mode: how long a permitting decision is reused. */
  readonly cacheSeconds: number;
  /** Role → permissions: the project roles (claims mode) or ZITADEL's manager roles (zitadel mode). */
  readonly rolePermissions: RolePermissions;
}

/** The authorizer of the configured mode, and the cold-start priming it allows. */
export function createAuthorizer(options: AuthorizerOptions, telemetry?: AuthorizerTelemetry): { authorizer: Authorizer; prime: () => Promise<void> } {
  const jwt = createJwtVerifier(options);
  if (options.authzMode === 'claims') {
    const authorizer = createClaimsAuthorizer({ verifyJwt: jwt.verify, projectId: options.projectId, rolePermissions: options.rolePermissions });
    return { authorizer, prime: jwt.hydrate };
  }
  const api = createZitadelAuthApi({ apiUrl: options.apiUrl });
  const authorizer = createZitadelAuthorizer({
    verifyJwt: jwt.verify,
    lookup: api.lookup,
    cacheSeconds: options.cacheSeconds,
    rolePermissions: options.rolePermissions,
    telemetry,
  });
  return {
    authorizer,
    prime: async () => {
      await Promise.all([jwt.hydrate(), api.warmUp()]);
    },
  };
}
