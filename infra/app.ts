/**
 * CDK app: `npm run synth -- -c zitadelIssuer=https://<instance>` / `npm run deploy -- -c …`
 * Other context values: see README (Deploy) and infra/create-app.ts.
 * Runs directly on Node 24 (type stripping), so only erasable TypeScript syntax is used here.
 */
import { createApp } from './create-app.ts';
import { ConfigurationError } from './configuration.ts';

let created: ReturnType<typeof createApp>;
try {
  created = createApp();
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  // A configuration mistake, not a bug: the message alone, without a stack trace.
  console.error(`Error: ${error.message}`);
  process.exit(1);
}
created.app.synth();
