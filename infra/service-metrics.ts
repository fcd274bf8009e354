/**
 * The function's own metrics (functions/telemetry/metrics.ts writes them in the embedded metric format) as
 * CloudWatch `Metric`s for alarms and the dashboard. Names come from the function's code: one definition.
 */
import type { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { MetricNames } from '../functions/telemetry/metrics.ts';
import { ConfigurationError } from './configuration.ts';

export { DEFAULT_METRICS_NAMESPACE, MetricNames } from '../functions/telemetry/metrics.ts';

/** CloudWatch's rule for a namespace: 1–255 of these characters, and not `AWS/` (reserved for AWS). */
const NAMESPACE = /^[A-Za-z0-9.\-_/#:]{1,255}$/;

export function metricsNamespace(value: string): string {
  if (!NAMESPACE.test(value) || value.startsWith('AWS/')) {
    throw new ConfigurationError(`metricsNamespace must be 1 to 255 letters, digits or . - _ / # : and not start with "AWS/", got "${value}".`);
  }
  return value;
}

export class ServiceMetrics {
  readonly namespace: string;
  readonly serviceName: string;

  constructor(namespace: string, serviceName: string) {
    this.namespace = namespace;
    this.serviceName = serviceName;
  }

  metric(name: string, options: { period: Duration; statistic: string; label?: string; dimensions?: Record<string, string> }): Metric {
    return new Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { service: this.serviceName, ...options.dimensions },
      period: options.period,
      statistic: options.statistic,
      ...(options.label === undefined ? {} : { label: options.label }),
    });
  }

  /** Refusals with one error id (`Refusals` by `errorId`). */
  refusals(errorId: string, period: Duration): Metric {
    return this.metric(MetricNames.refusals, { period, statistic: 'Sum', label: errorId, dimensions: { errorId } });
  }

  /** Percentage of requests refused with `errorId` in each period; 0 without traffic. */
  refusalRate(errorId: string, period: Duration): MathExpression {
    return new MathExpression({
      expression: 'IF(requests > 0, 100 * FILL(refused, 0) / requests, 0)',
      usingMetrics: { refused: this.refusals(errorId, period), requests: this.metric(MetricNames.requests, { period, statistic: 'Sum' }) },
      period,
      label: `% of requests refused with ${errorId}`,
    });
  }

  /** Every `Refusals` series, one per errorId (the dimension is bounded, so the search is too). */
  refusalsByErrorId(period: Duration): MathExpression {
    return new MathExpression({
      expression: `SEARCH('{${this.namespace},errorId,service} MetricName="${MetricNames.refusals}" service="${this.serviceName}"', 'Sum', ${period.toSeconds()})`,
      usingMetrics: {},
      period,
      label: 'Refusals by errorId',
    });
  }
}
