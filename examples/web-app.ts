// examples/web-app.ts
// Deactivate a ZITADEL action from a web app on another origin: with ZITADEL's own web client
// (@zitadel/client, gRPC-web) or with fetch on the JSON route. Bundle it with your app (esbuild, Vite, …).
import { ConnectError } from '@connectrpc/connect';
import { createManagementServiceClient } from '@zitadel/client/v1';
import { createClientTransport } from '@zitadel/client/web';

export interface Api {
  /** The stack's ApiUrl output without the trailing slash; under `npm start`: http://127.0.0.1:8080 */
  readonly url: string;
  /** The signed-in user's access token (from your app's OIDC login with ZITADEL). */
  readonly token: string;
}

/** gRPC-web: the answer's `details`; a refusal throws a ConnectError with ZITADEL's code and message. */
export async function deactivateWithZitadelClient(api: Api, actionId: string) {
  const management = createManagementServiceClient(createClientTransport(api.token, { baseUrl: api.url }));
  const { details } = await management.deactivateAction({ id: actionId });
  return details;
}

/** The JSON route: ZITADEL's REST body, `{ details }` on success, `{ code, message, details }` on a refusal. */
export async function deactivateWithFetch(api: Api, actionId: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${api.url}/management/v1/actions/${encodeURIComponent(actionId)}/_deactivate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: response.status, body: await response.json() };
}

/** ZITADEL's refusal as the app shows it, e.g. `9 Action is not active (COMMAND-Dgj92)`. */
export function describeError(err: unknown): string {
  return err instanceof ConnectError ? `${err.code} ${err.rawMessage}` : String(err);
}
