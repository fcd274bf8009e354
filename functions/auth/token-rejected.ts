/**
 * Why a token was refused, for the logs: a fixed word per cause, never text taken from the token
 * (aws-jwt-verify's messages can quote claims, and its class names do not survive minification).
 */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
}
