/**
 * CDK app: `npx cdk synth|deploy -c zitadelIssuer=https://<instance> -c zitadelAudience=<project id>`
 * Optional context: zitadelJwksUri, throttlingRateLimit, throttlingBurstLimit.
 * Runs directly on Node 24 (type stripping), so only erasable TypeScript syntax is used here.
 */
import { createApp } from './create-app.ts';
import { ConfigurationError } from './deactivate-action-stack.ts';

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
