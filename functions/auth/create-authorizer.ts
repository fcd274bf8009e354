import type { Config } from '../deactivate-action/config.ts';
import type { Authorizer } from '../domain/authorization.ts';
import { createClaimsAuthorizer } from './claims-authorizer.ts';
import { createJwtVerifier } from './token-verifier.ts';
import { createZitadelAuthApi } from './zitadel-auth-api.ts';
import { createZitadelAuthorizer, type AuthorizerTelemetry } from './zitadel-authorizer.ts';

/** The authorizer of the configured mode, and the cold-start priming it allows. */
export function createAuthorizer(config: Config, telemetry?: AuthorizerTelemetry): { authorizer: Authorizer; prime: () => Promise<void> } {
  const jwt = createJwtVerifier(config);
  if (config.authzMode === 'claims') {
    const authorizer = createClaimsAuthorizer({ verifyJwt: jwt.verify, projectId: config.projectId, rolePermissions: config.rolePermissions });
    return { authorizer, prime: jwt.hydrate };
  }
  const api = createZitadelAuthApi({ apiUrl: config.apiUrl });
  const authorizer = createZitadelAuthorizer({ verifyJwt: jwt.verify, lookup: api.lookup, cacheSeconds: config.cacheSeconds, telemetry });
  return {
    authorizer,
    prime: async () => {
      await Promise.all([jwt.hydrate(), api.warmUp()]);
    },
  };
}
