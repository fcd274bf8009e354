/**
 * `OperationsDashboard`: one CloudWatch dashboard for the service, composed by `DeactivateActionApi`
 * (`dashboard: false` / `-c dashboard=false` leaves it out). Rows: alarms; the API per route (requests,
 * 4xx, 5xx, latency p50/p99, from the stage's detailed metrics); the function (duration, init duration,
 * errors, throttles, concurrency); the function's own metrics (outcomes, refusals by error id, decision
 * cache, ZITADEL and DynamoDB latency); the table; the change-event pipe and its dead-letter queue.
 *
 * Init duration is not a CloudWatch metric of Lambda (without Lambda Insights): it is in the REPORT line
 * (`platform.report`, `record.metrics.initDurationMs` in the JSON log format). A metric filter on the
 * function's log group turns it into the metric `InitDuration` — alarmable, kept 15 months, cheaper to look at
 * than a Logs Insights widget, which would scan the log group at every dashboard refresh.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarm, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ActionChangeEvents } from './change-events.ts';
import { MetricNames, type ServiceMetrics } from './service-metrics.ts';

/** Name of the metric the metric filter makes of the REPORT line's init duration (in the service's namespace). */
export const INIT_DURATION_METRIC = 'InitDuration';

export interface DashboardRoute {
  /** Shown in the legend, e.g. `JSON` or `gRPC-web`. */
  readonly label: string;
  /** The route's path as API Gateway's `Resource` dimension names it. */
  readonly path: string;
}

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  /** The HTTP API's id and stage name (`$default`): dimensions of the route metrics. */
  readonly apiId: string;
  readonly stageName: string;
  readonly routes: readonly DashboardRoute[];
  readonly function: IFunction;
  readonly functionLogGroup: ILogGroup;
  readonly table: ITable;
  readonly serviceMetrics: ServiceMetrics;
  readonly changeEvents?: ActionChangeEvents;
  readonly alarms: readonly IAlarm[];
}

const PERIOD = Duration.minutes(1);
const WIDTH = 6;
const HEIGHT = 6;

export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  readonly initDurationFilter: MetricFilter;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const { serviceMetrics: own } = props;

    this.initDurationFilter = new MetricFilter(this, 'InitDurationFilter', {
      logGroup: props.functionLogGroup,
      filterPattern: FilterPattern.literal('{ $.type = "platform.report" && $.record.metrics.initDurationMs > 0 }'),
      metricNamespace: own.namespace,
      metricName: INIT_DURATION_METRIC,
      metricValue: '$.record.metrics.initDurationMs',
    });

    const route = (metricName: string, statistic: string, r: DashboardRoute) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.apiId, Stage: props.stageName, Method: 'POST', Resource: r.path },
        period: PERIOD,
        statistic,
        label: `${r.label} ${statistic}`,
      });
    const perRoute = (metricName: string, statistics: string[]) =>
      props.routes.flatMap((r) => statistics.map((s) => route(metricName, s, r)));
    const graph = (title: string, left: IMetric[], width = WIDTH) => new GraphWidget({ title, left, width, height: HEIGHT });
    const fn = props.function;

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# ZITADEL DeactivateAction\nAPI per route, the function, its own metrics (namespace `' +
          own.namespace +
          '`), the table, the change events. What to do when an alarm fires: README, "Running it in production".',
        width: 12,
        height: 3,
      }),
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 12, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph('Requests per route', perRoute('Count', ['Sum'])),
      graph('4xx per route', perRoute('4xx', ['Sum'])),
      graph('5xx per route', perRoute('5xx', ['Sum'])),
      graph('Latency per route (p50, p99)', perRoute('Latency', ['p50', 'p99'])),
    );
    this.dashboard.addWidgets(
      graph('Function duration (p50, p99, max)', [
        fn.metricDuration({ period: PERIOD, statistic: 'p50' }),
        fn.metricDuration({ period: PERIOD, statistic: 'p99' }),
        fn.metricDuration({ period: PERIOD, statistic: 'Maximum' }),
      ]),
      new GraphWidget({
        title: 'Init duration (cold starts)',
        left: [
          own.metric(INIT_DURATION_METRIC, { period: PERIOD, statistic: 'p50', label: 'init p50 (ms)' }),
          own.metric(INIT_DURATION_METRIC, { period: PERIOD, statistic: 'Maximum', label: 'init max (ms)' }),
        ],
        right: [own.metric(MetricNames.coldStart, { period: PERIOD, statistic: 'Sum', label: 'cold starts', dimensions: { function_name: fn.functionName } })],
        width: WIDTH,
        height: HEIGHT,
      }),
      graph('Function errors and throttles', [
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      ]),
      graph('Concurrent executions', [fn.metric('ConcurrentExecutions', { period: PERIOD, statistic: 'Maximum' })]),
    );
    this.dashboard.addWidgets(
      graph('Outcomes', [
        own.metric(MetricNames.requests, { period: PERIOD, statistic: 'Sum', label: 'requests' }),
        own.metric(MetricNames.deactivations, { period: PERIOD, statistic: 'Sum', label: 'deactivations' }),
      ]),
      graph('Refusals by errorId', [own.refusalsByErrorId(PERIOD)]),
      graph('Decision cache (zitadel mode)', [
        own.metric(MetricNames.decisionCacheHits, { period: PERIOD, statistic: 'Sum', label: 'hits' }),
        own.metric(MetricNames.decisionCacheMisses, { period: PERIOD, statistic: 'Sum', label: 'misses' }),
      ]),
      graph('Dependency latency (p50, p99)', [
        own.metric(MetricNames.zitadelLookupLatency, { period: PERIOD, statistic: 'p50', label: 'ZITADEL p50' }),
        own.metric(MetricNames.zitadelLookupLatency, { period: PERIOD, statistic: 'p99', label: 'ZITADEL p99' }),
        own.metric(MetricNames.dynamoDbLatency, { period: PERIOD, statistic: 'p50', label: 'DynamoDB p50' }),
        own.metric(MetricNames.dynamoDbLatency, { period: PERIOD, statistic: 'p99', label: 'DynamoDB p99' }),
      ]),
    );
    const operations = [Operation.GET_ITEM, Operation.UPDATE_ITEM];
    const tableAndEvents: GraphWidget[] = [
      graph('Table throttled requests', [props.table.metricThrottledRequestsForOperations({ operations, period: PERIOD })]),
      graph('Table system errors', [props.table.metricSystemErrorsForOperations({ operations, period: PERIOD })]),
    ];
    const events = props.changeEvents;
    if (events !== undefined) {
      const pipe = (metricName: string) =>
        new Metric({
          namespace: 'AWS/EventBridge/Pipes',
          metricName,
          dimensionsMap: { PipeName: events.pipe.ref },
          period: PERIOD,
          statistic: 'Sum',
          label: metricName,
        });
      tableAndEvents.push(
        graph('Change-event pipe failures', [pipe('ExecutionFailed'), pipe('TargetStageFailed'), pipe('ExecutionTimeout')]),
        graph('Change-event dead-letter queue depth', [
          events.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        ]),
      );
    }
    this.dashboard.addWidgets(...tableAndEvents);
  }
}
