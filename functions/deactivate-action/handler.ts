import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import { authorize } from '../auth/authorize.ts';
import { createAuthorizer } from '../auth/create-authorizer.ts';
import { deactivateAction } from '../domain/deactivate-action.ts';
import { Errors } from '../domain/errors.ts';
import { deactivatedResult, grpcWebBinding, jsonRouteOnly } from '../http/bindings.ts';
import { jsonRequest } from '../http/json-request.ts';
import type { HttpEvent, HttpResult, RequestContext } from '../http/request-context.ts';
import { createErrorTranslator } from '../http/translations/translate-error.ts';
import { zitadelResponse } from '../http/zitadel-response.ts';
import { DynamoActionStore } from '../storage/actions-table.ts';
import { Telemetry } from '../telemetry/metrics.ts';
import type { Config } from './config.ts';

/**
 * Bounds on one DynamoDB request. With 3 attempts and the SDK's jittered backoff a call gives up
 * after roughly 3 × 1 s plus < 1 s of backoff: inside the Lambda timeout (10 s), so the caller
 * gets a 503 from us rather than a gateway timeout.
 */
export const DYNAMODB_MAX_ATTEMPTS = 3;
export const DYNAMODB_REQUEST_TIMEOUT_MS = 1_000;
const DYNAMODB_CONNECTION_TIMEOUT_MS = 500;
/** Longest cold-start priming: well inside Lambda's 10 s init phase, short enough to never matter much. */
export const PRIME_BUDGET_MS = 1_500;
/** Time kept before the Lambda timeout to answer 503 ourselves (the handler by middy, the authorize step by itself). */
const TIMEOUT_EARLY_MS = 300;

export interface HandlerDeps {
  readonly config: Config;
  readonly dynamodb?: DynamoDBClient;
  readonly logger?: Logger;
  /** Metrics (embedded metric format); default: Powertools Metrics from the environment. */
  readonly telemetry?: Telemetry;
  readonly now?: () => Date;
}

export function createDynamoDBClient(overrides: Pick<DynamoDBClientConfig, 'endpoint' | 'credentials'> = {}): DynamoDBClient {
  // Region and endpoint come from the SDK's standard settings (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB).
  return new DynamoDBClient({
    ...overrides,
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS,
      // Without this the SDK only logs a warning when requestTimeout passes, and waits on.
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * Builds the Lambda handler. Called once per container (cold start): the token verifier with its
 * key cache, the DynamoDB client and the logger are shared by every request it serves.
 */
export function createHandler({
  config,
  dynamodb = createDynamoDBClient(),
  logger = new Logger(),
  telemetry = new Telemetry(),
  now = () => new Date(),
}: HandlerDeps) {
  const dynamoStore = new DynamoActionStore(dynamodb, config.tableName);
  const store = telemetry.timedStore(dynamoStore);
  const { authorizer, prime: primeAuthorizer } = createAuthorizer(config, telemetry.authorizer);
  const translate = createErrorTranslator(config.defaultLanguage);

  const deactivate = async (
    event: HttpEvent,
    context: RequestContext,
    { signal }: { signal: AbortSignal },
  ): Promise<HttpResult> => {
    if (context.authorization === undefined) throw Errors.internal(new Error('authorize middleware did not run'));

    const details = await deactivateAction(
      { actionId: event.pathParameters?.id ?? '', authorization: context.authorization },
      { store, now, signal },
    );
    return deactivatedResult(event, details);
  };

  /**
   * Cold-start priming (run once at init by the Lambda entry): the key set fetched, ZITADEL's connection open,
   * credentials, endpoint and signing resolved and one DynamoDB connection open, so the first request pays
   * none of it. Bounded by `PRIME_BUDGET_MS`; a slow or failing dependency never fails init (the first
   * request then meets it as any request would).
   */
  const prime = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, PRIME_BUDGET_MS);
      timer.unref();
    });
    await Promise.race([Promise.all([primeAuthorizer(), dynamoStore.prime()]), budget]);
    clearTimeout(timer);
  };

  // No http-header-normalizer: API Gateway's payload 2.0 (and the local server) already deliver
  // header names in lower case, so it would only copy the headers on every request.
  const handler = middy<HttpEvent, HttpResult, Error, RequestContext>(deactivate, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      throw Errors.timeout();
    },
  })
    // First, so it flushes the request's metrics after every other middleware.
    .use(telemetry.flush())
    // logEvent stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event holds the token.
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(httpErrorHandler({ logger: false }))
    .use(zitadelResponse(logger, translate))
    .use(telemetry.outcomes())
    // ZITADEL's order: the request is decoded first (grpc-go before its interceptors, grpc-gateway before the
    // gRPC call), then the token and organisation are checked, then the command runs.
    // gRPC-web route: decodes its frame and renders its errors.
    .use(grpcWebBinding(translate))
    // JSON route: the body decoded as grpc-gateway with ZITADEL's marshaler decodes it.
    .use(jsonRouteOnly(jsonRequest()))
    .use(authorize(authorizer, TIMEOUT_EARLY_MS));
  return Object.assign(handler, { prime });
}
