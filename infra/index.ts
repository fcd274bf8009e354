/**
 * The one place to import the infrastructure from, in this repository or in your own CDK app:
 *
 *   import { DeactivateActionApi } from '<this repo>/infra/index.ts';
 *   new DeactivateActionApi(stack, 'ZitadelActions', { zitadelIssuer: 'https://my-instance.zitadel.cloud' });
 */
export {
  ACCESS_LOG_FORMAT,
  AUTHORIZATION_MODES,
  DEACTIVATE_ROUTE_PATH,
  DEFAULT_NAME_PREFIX,
  DEFAULT_THROTTLING_BURST_LIMIT,
  DEFAULT_THROTTLING_RATE_LIMIT,
  DeactivateActionApi,
  GRPC_WEB_ROUTE_PATH,
  ROUTE_KEYS,
  SERVICE_NAME,
  TABLE_ACTIONS,
} from './deactivate-action-api.ts';
export type { AuthorizationMode, DeactivateActionApiProps, ThrottleLimits } from './deactivate-action-api.ts';
export {
  ActionChangeEvents,
  DEACTIVATION_DETAIL_TYPE,
  DEACTIVATION_EVENT_SOURCE,
  DEACTIVATION_FILTER_PATTERN,
  DEACTIVATION_INPUT_TEMPLATE,
  PIPE_STREAM_ACTIONS,
} from './change-events.ts';
export type { ActionChangeEventsProps } from './change-events.ts';
export { DeactivateActionStack } from './deactivate-action-stack.ts';
export type { DeactivateActionStackProps } from './deactivate-action-stack.ts';
export { ConfigurationError } from './configuration.ts';
export { createApp, propsFromContext, STACK_NAME, stackNameFor } from './create-app.ts';
export { TRACING_MODES, UNAVAILABLE_ALARM_PERCENT } from './deactivate-action-api.ts';
export type { TracingMode } from './deactivate-action-api.ts';
export { OperationsDashboard, INIT_DURATION_METRIC } from './operations-dashboard.ts';
export type { OperationsDashboardProps } from './operations-dashboard.ts';
export { AuditQueries, DEACTIVATIONS_QUERY, REFUSALS_QUERY } from './audit-queries.ts';
export { ServiceMetrics, DEFAULT_METRICS_NAMESPACE, MetricNames } from './service-metrics.ts';
export { CONTEXT_KEYS } from './create-app.ts';
