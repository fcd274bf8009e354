/**
 * Observability adapter: the request's outcome and the latency of its dependencies as CloudWatch
 * metrics, written with Powertools Metrics in the embedded metric format (one JSON log line that
 * CloudWatch turns into metrics: no API call, no added latency). The handler owns one `Telemetry`;
 * the domain and the authorizers only see small callbacks (`AuthorizerTelemetry`, a timed store).
 *
 * Names and dimensions are bounded: every metric carries the `service` dimension only, except
 * `Refusals`, which adds `errorId` — one of the ids of our catalogue (`domain/errors.ts`), `none`
 * for ZITADEL's answer without id (`auth header missing`) or `other` for any id passed through
 * from ZITADEL that is not in the catalogue.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { AuthorizerTelemetry } from '../auth/zitadel-authorizer.ts';
import type { ActionStore } from '../domain/deactivate-action.ts';
import { Errors } from '../domain/errors.ts';
import type { HttpMiddleware } from '../http/request-context.ts';
import { toZitadelError } from '../http/zitadel-response.ts';

/** Default namespace; the construct sets POWERTOOLS_METRICS_NAMESPACE (the `metricsNamespace` prop). */
export const DEFAULT_METRICS_NAMESPACE = 'ZitadelDeactivateAction';

/** Every metric name this function emits (ColdStart is Powertools' own, with a `function_name` dimension). */
export const MetricNames = {
  requests: 'Requests',
  deactivations: 'Deactivations',
  refusals: 'Refusals',
  decisionCacheHits: 'DecisionCacheHits',
  decisionCacheMisses: 'DecisionCacheMisses',
  zitadelLookupLatency: 'ZitadelLookupLatency',
  dynamoDbLatency: 'DynamoDBLatency',
  coldStart: 'ColdStart',
} as const;

/** `errorId` of a refusal without id (ZITADEL's `auth header missing`): a dimension value cannot be empty. */
export const NO_ERROR_ID = 'none';
/** `errorId` of any id outside our catalogue (ZITADEL's own, passed through): keeps the dimension bounded. */
export const OTHER_ERROR_ID = 'other';

// Errors without an id (grpc-gateway's and grpc-go's decoding texts) have no `id` to count: they are `none`.
const CATALOGUE_IDS: ReadonlySet<string> = new Set(Object.values(Errors).flatMap((error) => ('id' in error ? [error.id] : [])));

/** The bounded `errorId` dimension value of an error id. */
export function errorIdDimension(id: string): string {
  if (id === '') return NO_ERROR_ID;
  return CATALOGUE_IDS.has(id) ? id : OTHER_ERROR_ID;
}

export class Telemetry {
  readonly metrics: Metrics;

  constructor(metrics: Metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE })) {
    this.metrics = metrics;
  }

  /** What the authorizer reports: decision-cache hits and misses, ZITADEL lookup latency. */
  readonly authorizer: AuthorizerTelemetry = {
    decisionCache: (result) => {
      this.metrics.addMetric(result === 'hit' ? MetricNames.decisionCacheHits : MetricNames.decisionCacheMisses, MetricUnit.Count, 1);
    },
    zitadelLookup: (milliseconds) => {
      this.metrics.addMetric(MetricNames.zitadelLookupLatency, MetricUnit.Milliseconds, milliseconds);
    },
  };

  /** The store, with each call's duration (retries included) as `DynamoDBLatency`. */
  timedStore(store: ActionStore): ActionStore {
    return {
      deactivate: async (change, options) => {
        const started = performance.now();
        try {
          return await store.deactivate(change, options);
        } finally {
          this.metrics.addMetric(MetricNames.dynamoDbLatency, MetricUnit.Milliseconds, performance.now() - started);
        }
      },
    };
  }

  /**
   * Powertools' middleware: `ColdStart` before the first request, and the stored metrics flushed as one
   * log line after every request, whatever its outcome. Register it first, so it flushes last.
   */
  flush(): HttpMiddleware {
    return logMetrics(this.metrics, { captureColdStartMetric: true });
  }

  /**
   * Counts the outcome: `Requests` always, `Deactivations` on success, `Refusals` by error id on any error
   * answer. Register it right after zitadelResponse, so its `onError` still sees the error raised.
   */
  outcomes(): HttpMiddleware {
    return {
      name: 'telemetryOutcomes',
      after: () => {
        this.metrics.addMetric(MetricNames.requests, MetricUnit.Count, 1);
        this.metrics.addMetric(MetricNames.deactivations, MetricUnit.Count, 1);
      },
      onError: (request) => {
        this.metrics.addMetric(MetricNames.requests, MetricUnit.Count, 1);
        // Its own line: the errorId dimension must not be added to the request's other metrics.
        const refusal = this.metrics.singleMetric();
        refusal.addDimension('errorId', errorIdDimension(toZitadelError(request.error).id));
        refusal.addMetric(MetricNames.refusals, MetricUnit.Count, 1);
      },
    };
  }
}
