import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** The deployed function's timeout (see the stack): the local invocation gets the same budget. */
export const FUNCTION_TIMEOUT_MS = 10_000;

/** A Lambda-like context for one invocation: its own request id and a deadline `timeoutMs` from now. */
/** The `Context` type still lists the callback-era methods; the runtime has them, nothing here calls them. */
const LEGACY_CALLBACKS = { done: () => undefined, fail: () => undefined, succeed: () => undefined };

export function lambdaContext(timeoutMs = FUNCTION_TIMEOUT_MS, functionName = 'deactivate-action-local'): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    ...LEGACY_CALLBACKS,
  };
}
