/**
 * Bundle-only stand-in for `@aws-sdk/credential-provider-node` (see infra/function-bundle.ts).
 * On Lambda the execution role's credentials are always in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the default chain's other
 * links (SSO, STS web identity, ini files, process, IMDS, ECS) are dead weight: about 100 KB of
 * code and their import time on every cold start. Local runs use the unbundled SDK and keep
 * the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
