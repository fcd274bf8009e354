/**
 * For child processes started with a hand-made environment: keep Node's compile cache (`npm test` sets
 * NODE_COMPILE_CACHE) so a child does not compile aws-cdk-lib or the AWS SDK again. Speed only: the cache holds
 * compiled code keyed by the source's hash, and changes nothing a child prints or does.
 */
export const COMPILE_CACHE: Record<string, string> =
  process.env.NODE_COMPILE_CACHE === undefined ? {} : { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE };
