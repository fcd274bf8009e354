/**
 * `DeactivateActionApi`: the whole service as one construct a user can place in their own CDK app:
 * the actions table (or an existing one), the function, the HTTP API with its two routes, alarms,
 * change events (stream → pipe → bus) and, optionally, a custom domain and an alarm topic.
 * `DeactivateActionStack` is a thin wrapper that fills these props from CDK context.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificateRef } from 'aws-cdk-lib/aws-certificatemanager';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AuditQueries } from './audit-queries.ts';
import { ActionChangeEvents } from './change-events.ts';
import { corsSettings, CorsOriginError } from './cors.ts';
import {
  ConfigurationError,
  nonNegativeInteger,
  positiveInteger,
  positiveNumber,
  requireHostName,
  requireHttpsUrl,
} from './configuration.ts';
import { MAX_CACHE_SECONDS } from '../functions/deactivate-action/config.ts';
import { supportedLanguage } from '../functions/http/translations/translate-error.ts';
import { depsLockFilePath, functionEntry, HANDLER_EXPORT, nodejsBundlingOptions, projectRoot } from './function-bundle.ts';
import { OperationsDashboard } from './operations-dashboard.ts';
import { DEFAULT_METRICS_NAMESPACE, metricsNamespace, ServiceMetrics } from './service-metrics.ts';

/** ZITADEL Management API `DeactivateAction`, JSON (grpc-gateway) binding. */
export const DEACTIVATE_ROUTE_PATH = '/management/v1/actions/{id}/_deactivate';
/** The same call over gRPC-web (HTTP APIs hand the binary body to Lambda base64-encoded). */
export const GRPC_WEB_ROUTE_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';
/** Both routes, as API Gateway route keys. */
export const ROUTE_KEYS = [`POST ${DEACTIVATE_ROUTE_PATH}`, `POST ${GRPC_WEB_ROUTE_PATH}`] as const;

export const DEFAULT_THROTTLING_RATE_LIMIT = 50;
export const DEFAULT_THROTTLING_BURST_LIMIT = 100;
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;
export const DEFAULT_NAME_PREFIX = 'zitadel-deactivate-action';

/** Value of POWERTOOLS_SERVICE_NAME (the `service` key of every log line). */
export const SERVICE_NAME = 'zitadel-deactivate-action';

/** The only actions the function may perform on the table. */
export const TABLE_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

export const AUTHORIZATION_MODES = ['zitadel', 'claims'] as const;
/** `active`: X-Ray active tracing of the function (HTTP APIs have no X-Ray tracing of their own). */
export const TRACING_MODES = ['active', 'disabled'] as const;
export type TracingMode = (typeof TRACING_MODES)[number];
/** Alarm when at least this share (%) of the requests in 5 minutes met ZITADEL or DynamoDB unavailable. */
export const UNAVAILABLE_ALARM_PERCENT = 5;
/** `zitadel`: ask ZITADEL's Auth API with the caller's token; `claims`: read the token's role claims. */
export type AuthorizationMode = (typeof AUTHORIZATION_MODES)[number];

export interface ThrottleLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Token bucket size. */
  readonly burstLimit: number;
}

export interface DeactivateActionApiProps {
  /** ZITADEL issuer, e.g. `https://my-instance.zitadel.cloud` (https; a trailing slash is removed). */
  readonly zitadelIssuer: string;
  /** Token audience (ZITADEL project id, comma-separated for several). Required in `claims` mode. */
  readonly zitadelAudience?: string;
  /** JWKS URI override (https). Default: the function derives `<issuer>/oauth/v2/keys`. */
  readonly zitadelJwksUri?: string;
  /** @default 'zitadel' */
  readonly authorizationMode?: AuthorizationMode;
  /** ZITADEL API base URL for the Auth API (https). Default: the function uses the issuer. */
  readonly zitadelApiUrl?: string;
  /** Project whose roles count in `claims` mode. Default: the function takes the first audience entry. */
  readonly zitadelProjectId?: string;
  /** How long the function caches an authorization answer (seconds). Default: the function's (30). */
  readonly authzCacheSeconds?: number;
  /** The instance default language of translated errors (`DEFAULT_LANGUAGE`), one of ZITADEL's. Default: the function's (`en`). */
  readonly defaultLanguage?: string;
  /** Default per-route limits of the stage. @default 50 rps, burst 100 */
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
  /**
   * Per-route limits, one bucket per route (security finding 8). Default: each route gets the
   * stage limits. Set lower to keep, e.g., the gRPC-web route from using the JSON route's share.
   */
  readonly routeThrottling?: Partial<Record<'json' | 'grpcWeb', ThrottleLimits>>;
  /**
   * Reserved concurrency of the function: caps what a flood of requests (even anonymous ones, each
   * of which runs the token check) can take from the account's Lambda concurrency. Default: unset.
   */
  readonly reservedConcurrency?: number;
  /**
   * An existing actions table (partition key `resourceOwner`, sort key `id`). For change events
   * it must have a stream with NEW_AND_OLD_IMAGES (`Table.fromTableAttributes({ tableArn, tableStreamArn })`).
   * Default: a new table.
   */
  readonly table?: ITable;
  /** Publish deactivations as events. @default true */
  readonly changeEvents?: boolean;
  /** An existing bus for the events. Default: a new bus `<namePrefix>`. */
  readonly eventBus?: IEventBus;
  /** Every alarm notifies this topic. Default: alarms without actions. */
  readonly alarmTopic?: ITopic;
  /** Custom domain (regional, TLS 1.2) mapped to the API; needs `certificate` in the same region. */
  readonly domainName?: string;
  readonly certificate?: ICertificateRef;
  /** Names of the API, bus, pipe and alarms start with this; include the stage. @default 'zitadel-deactivate-action' */
  readonly namePrefix?: string;
  /** Retention of the function and access log groups. @default one month */
  readonly logRetention?: RetentionDays;
  /**
   * The CloudWatch dashboard `<namePrefix>` (and the stage's per-route detailed metrics it shows, about ten
   * custom metrics). @default true
   */
  readonly dashboard?: boolean;
  /** Namespace of the function's own metrics (POWERTOOLS_METRICS_NAMESPACE). @default 'ZitadelDeactivateAction' */
  readonly metricsNamespace?: string;
  /** X-Ray active tracing of the function. @default 'disabled' */
  readonly tracing?: TracingMode;
  /**
   * Origins allowed to call the API from a browser (`https://app.example.com`, `https://*.example.com`), answered
   * by API Gateway's own CORS configuration with ZITADEL's methods and headers (`cors.ts`).
   * @default every origin (`*`), as ZITADEL's API allows
   */
  readonly corsAllowOrigins?: readonly string[];
}

export class DeactivateActionApi extends Construct {
  readonly table: ITable;
  readonly deactivateFunction: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly routes: readonly HttpRoute[];
  readonly alarms: Alarm[] = [];
  readonly changeEvents?: ActionChangeEvents;
  readonly domainName?: DomainName;
  readonly auditQueries: AuditQueries;
  readonly dashboard?: OperationsDashboard;

  constructor(scope: Construct, id: string, props: DeactivateActionApiProps) {
    super(scope, id);
    const environment = functionEnvironment(props);
    const stageLimits: ThrottleLimits = {
      rateLimit: positiveNumber('throttlingRateLimit', props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT),
      burstLimit: positiveInteger('throttlingBurstLimit', props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT),
    };
    const routeLimits = {
      json: checkedLimits('routeThrottling.json', props.routeThrottling?.json ?? stageLimits),
      grpcWeb: checkedLimits('routeThrottling.grpcWeb', props.routeThrottling?.grpcWeb ?? stageLimits),
    };
    const reservedConcurrency =
      props.reservedConcurrency === undefined ? undefined : positiveInteger('reservedConcurrency', props.reservedConcurrency);
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    const prefix = props.namePrefix ?? DEFAULT_NAME_PREFIX;
    const wantEvents = props.changeEvents ?? true;
    const wantDashboard = props.dashboard ?? true;
    const tracing = props.tracing ?? 'disabled';
    if (!TRACING_MODES.includes(tracing)) throw new ConfigurationError(`tracing must be "active" or "disabled", got ${JSON.stringify(tracing)}.`);
    const serviceMetrics = new ServiceMetrics(metricsNamespace(props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE), SERVICE_NAME);
    environment.POWERTOOLS_METRICS_NAMESPACE = serviceMetrics.namespace;
    if ((props.domainName === undefined) !== (props.certificate === undefined)) {
      throw new ConfigurationError('domainName and certificate go together: give both (the certificate must cover the domain) or neither.');
    }

    // ---------------------------------------------------------------- storage
    this.table =
      props.table ??
      new Table(this, 'ActionsTable', {
        partitionKey: { name: 'resourceOwner', type: AttributeType.STRING },
        sortKey: { name: 'id', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // AWS managed key (alias/aws/dynamodb): KMS-encrypted and visible in CloudTrail, and its key
        // policy already lets DynamoDB use it for any principal allowed on the table, so the
        // function needs no kms:* permission (a customer managed key would need grants).
        encryption: TableEncryption.AWS_MANAGED,
        deletionProtection: true,
        // Old and new image: the change-events filter compares the state before and after.
        stream: StreamViewType.NEW_AND_OLD_IMAGES,
        // The table is the system of record: `cdk destroy` or a replacement must never delete it.
        removalPolicy: RemovalPolicy.RETAIN,
      });
    environment.ACTIONS_TABLE = this.table.tableName;

    // ---------------------------------------------------------------- function
    const functionLogGroup = new LogGroup(this, 'FunctionLogGroup', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    // Own role instead of the default one, which attaches AWSLambdaBasicExecutionRole (logs:* on
    // every log group): this one may only write its own log group and make the two table calls.
    const role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deactivate Action function: write its own logs, GetItem/UpdateItem on the actions table',
    });
    functionLogGroup.grantWrite(role);
    // Exactly these two actions on exactly the table ARN (no indexes, no grantReadWriteData).
    role.addToPolicy(new PolicyStatement({ actions: [...TABLE_ACTIONS], resources: [this.table.tableArn] }));

    this.deactivateFunction = new NodejsFunction(this, 'DeactivateActionFunction', {
      description: 'ZITADEL-compatible DeactivateAction (JSON and gRPC-web)',
      entry: functionEntry,
      handler: HANDLER_EXPORT,
      projectRoot,
      depsLockFilePath,
      bundling: nodejsBundlingOptions(),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // CPU grows with memory: 512 MB gives the cold start (bundle parse, first TLS handshakes,
      // signature checks) ~4x the CPU of 128 MB; a warm request needs little.
      memorySize: 512,
      // The slowest legitimate path, a cold start that fetches the JWKS (~3 s bound) and then an
      // UpdateItem with retries (~3 s bound), fits with margin, well under API Gateway's 30 s.
      timeout: Duration.seconds(10),
      role,
      logGroup: functionLogGroup,
      loggingFormat: LoggingFormat.JSON,
      // Same level as LOG_LEVEL: Powertools Logger warns when they differ.
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      environment,
      // Lambda's own segments (init, invocation, overhead); no tracing SDK in the bundle (README, Tracing).
      tracing: tracing === 'active' ? Tracing.ACTIVE : Tracing.DISABLED,
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: reservedConcurrency }),
    });

    // ---------------------------------------------------------------- HTTP API
    if (props.domainName !== undefined && props.certificate !== undefined) {
      this.domainName = new DomainName(this, 'CustomDomain', {
        domainName: requireHostName('domainName', props.domainName),
        certificate: props.certificate,
        securityPolicy: SecurityPolicy.TLS_1_2,
      });
    }
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: prefix,
      description: 'ZITADEL-compatible Management API subset: DeactivateAction',
      // The gateway answers preflights itself (they never run the function) and adds the headers to answers.
      corsPreflight: corsPreflight(props.corsAllowOrigins),
      // The $default stage is created below: HttpApi's own cannot take access log settings.
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('DeactivateActionIntegration', this.deactivateFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    const route = (id: string, path: string) =>
      new HttpRoute(this, id, { httpApi: this.api, routeKey: HttpRouteKey.with(path, HttpMethod.POST), integration });
    const jsonRoute = route('DeactivateActionRoute', DEACTIVATE_ROUTE_PATH);
    const grpcWebRoute = route('DeactivateActionGrpcWebRoute', GRPC_WEB_ROUTE_PATH);
    this.routes = [jsonRoute, grpcWebRoute];

    const accessLogGroup = new LogGroup(this, 'ApiAccessLogGroup', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stageLimits,
      // Per-route metrics (Count, 4xx, 5xx, Latency by route) for the dashboard.
      detailedMetricsEnabled: wantDashboard,
      // No X-Ray here whatever `tracing` says: API Gateway traces REST APIs only; an HTTP API stage has no
      // tracing setting. The access log's requestId/integrationRequestId lead to the function's log line.
      ...(this.domainName === undefined ? {} : { domainMapping: { domainName: this.domainName } }),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        // Variables of HTTP APIs only. Headers (Authorization) are never logged.
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    // One bucket per route (HttpStage has no per-route setting; the L1 property is RouteSettings).
    // The stage can only name routes that exist, hence the dependencies.
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = {
      [ROUTE_KEYS[0]]: {
        ThrottlingRateLimit: routeLimits.json.rateLimit,
        ThrottlingBurstLimit: routeLimits.json.burstLimit,
        DetailedMetricsEnabled: wantDashboard,
      },
      [ROUTE_KEYS[1]]: {
        ThrottlingRateLimit: routeLimits.grpcWeb.rateLimit,
        ThrottlingBurstLimit: routeLimits.grpcWeb.burstLimit,
        DetailedMetricsEnabled: wantDashboard,
      },
    };
    for (const r of this.routes) this.stage.node.addDependency(r);

    // ---------------------------------------------------------------- change events
    if (wantEvents) {
      if (this.table.tableStreamArn === undefined) {
        throw new ConfigurationError(
          'Change events need the table stream: pass the existing table with its tableStreamArn (NEW_AND_OLD_IMAGES), or changeEvents: false.',
        );
      }
      this.changeEvents = new ActionChangeEvents(this, 'ChangeEvents', {
        table: this.table,
        busName: prefix,
        pipeName: `${prefix}-deactivations`,
        ...(props.eventBus === undefined ? {} : { eventBus: props.eventBus }),
      });
      this.alarms.push(this.changeEvents.deadLetterAlarm);
    }

    // ---------------------------------------------------------------- alarms
    const period = Duration.minutes(5);
    const alarm = (id: string, metric: Metric, description: string): Alarm => {
      const created = new Alarm(this, id, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not an incident.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.alarms.push(created);
      return created;
    };
    alarm(
      'FunctionErrorsAlarm',
      this.deactivateFunction.metricErrors({ period, statistic: 'Sum' }),
      `${prefix}: the function failed (unhandled error, crash or timeout) at least once in 5 minutes.`,
    );
    alarm(
      'FunctionThrottlesAlarm',
      this.deactivateFunction.metricThrottles({ period, statistic: 'Sum' }),
      `${prefix}: function invocations were throttled by Lambda concurrency limits in the last 5 minutes.`,
    );
    alarm(
      'Api5xxAlarm',
      this.api.metricServerError({ period, statistic: 'Sum' }),
      `${prefix}: the HTTP API returned at least one 5xx (Internal, Unavailable, integration failure) in 5 minutes.`,
    );
    // From the function's Refusals metric by errorId: a share of the requests, so a busy hour does not hide it.
    for (const [id, errorId, what] of [
      ['ZitadelUnavailableAlarm', 'AUTHZ-Zunav', "ZITADEL's Auth API did not answer (zitadel mode)"],
      ['DynamoDbUnavailableAlarm', 'STORE-Dyn14', 'DynamoDB was unreachable or throttled after retries'],
    ] as const) {
      const created = new Alarm(this, id, {
        metric: serviceMetrics.refusalRate(errorId, period),
        alarmDescription: `${prefix}: ${what} for at least ${UNAVAILABLE_ALARM_PERCENT}% of the requests in 5 minutes (${errorId}, 503).`,
        threshold: UNAVAILABLE_ALARM_PERCENT,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      this.alarms.push(created);
    }
    if (props.alarmTopic !== undefined) {
      const action = new SnsAction(props.alarmTopic);
      for (const a of this.alarms) a.addAlarmAction(action);
    }

    // ---------------------------------------------------------------- audit trail, dashboard
    this.auditQueries = new AuditQueries(this, 'AuditQueries', { logGroup: functionLogGroup, namePrefix: prefix });
    if (wantDashboard) {
      this.dashboard = new OperationsDashboard(this, 'Operations', {
        dashboardName: prefix,
        apiId: this.api.apiId,
        stageName: '$default',
        routes: [
          { label: 'JSON', path: DEACTIVATE_ROUTE_PATH },
          { label: 'gRPC-web', path: GRPC_WEB_ROUTE_PATH },
        ],
        function: this.deactivateFunction,
        functionLogGroup,
        table: this.table,
        serviceMetrics,
        ...(this.changeEvents === undefined ? {} : { changeEvents: this.changeEvents }),
        alarms: this.alarms,
      });
    }

    // ---------------------------------------------------------------- cdk-nag
    Validations.of(this.deactivateFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'API Gateway invokes the function synchronously and receives every failure as the response; there are no ' +
        'asynchronous invocations whose events a dead-letter queue could keep.',
    });
    const rolePolicy = role.node.tryFindChild('DefaultPolicy');
    if (tracing === 'active' && rolePolicy !== undefined) {
      Validations.of(rolePolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Added by Tracing.ACTIVE: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions, ' +
          'so "*" is the only resource they can be granted on. The table statement names the table ARN.',
      });
    }
    if (tracing !== 'active') {
      Validations.of(this.deactivateFunction).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'X-Ray tracing is on request (-c tracing=active / tracing: "active"): every request is already one log line with ' +
          'its outcome, and the function publishes dependency latencies as metrics; traces cost per request recorded.',
      });
    }
    for (const r of this.routes) {
      Validations.of(r).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorization is enforced in the function: it verifies the ZITADEL-issued token and the org.action.write ' +
          "permission per organisation, and answers with ZITADEL's own error bodies (Unauthenticated AUTH-7fs1e, " +
          'PermissionDenied AUTH-5mWD2). ZITADEL is an external identity provider; an API Gateway JWT authorizer would ' +
          "answer with its own non-ZITADEL error format and cannot evaluate ZITADEL's per-organisation permissions.",
      });
    }
  }
}

/** JSON access log line (HTTP API variables). */
export const ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationRequestId: '$context.integration.requestId',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

/** The function's environment from the props (ACTIONS_TABLE is added once the table exists). */
function functionEnvironment(props: DeactivateActionApiProps): Record<string, string> {
  // Without trailing slash, as in the token's "iss" claim (the function normalises the same way).
  const issuer = requireHttpsUrl('zitadelIssuer', props.zitadelIssuer).replace(/\/+$/, '');
  const mode = props.authorizationMode ?? 'zitadel';
  if (!AUTHORIZATION_MODES.includes(mode)) {
    throw new ConfigurationError(`authorizationMode must be "zitadel" or "claims", got ${JSON.stringify(mode)}.`);
  }
  const audience = props.zitadelAudience?.trim() || undefined;
  if (mode === 'claims' && audience === undefined) {
    throw new ConfigurationError('zitadelAudience (the ZITADEL project id) is required when authorizationMode is "claims".');
  }
  const environment: Record<string, string> = {
    ZITADEL_ISSUER: issuer,
    AUTHZ_MODE: mode,
    // No --enable-source-maps: parsing the map costs ~9 ms CPU per cold start (bench/NOTES.md). No stack reaches a
    // caller or a log line; the runtime's report of a failed init shows bundle positions, which the index.mjs.map
    // shipped in the asset maps offline.
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    LOG_LEVEL: 'INFO',
  };
  if (audience !== undefined) environment.ZITADEL_AUDIENCE = audience;
  if (props.zitadelJwksUri !== undefined) environment.ZITADEL_JWKS_URI = requireHttpsUrl('zitadelJwksUri', props.zitadelJwksUri);
  if (props.zitadelApiUrl !== undefined) {
    environment.ZITADEL_API_URL = requireHttpsUrl('zitadelApiUrl', props.zitadelApiUrl).replace(/\/+$/, '');
  }
  const projectId = props.zitadelProjectId?.trim();
  if (projectId) environment.ZITADEL_PROJECT_ID = projectId;
  if (props.authzCacheSeconds !== undefined) {
    const seconds = nonNegativeInteger('authzCacheSeconds', props.authzCacheSeconds);
    // The function refuses more at init: fail the synth, not the deployed function.
    if (seconds > MAX_CACHE_SECONDS) throw new ConfigurationError(`authzCacheSeconds must be at most ${MAX_CACHE_SECONDS}, got ${seconds}.`);
    environment.AUTHZ_CACHE_SECONDS = String(seconds);
  }
  if (props.defaultLanguage !== undefined) {
    // The function refuses an unsupported language at init: fail the synth instead.
    const language = supportedLanguage(props.defaultLanguage);
    if (language === undefined) throw new ConfigurationError(`defaultLanguage must be one of ZITADEL's languages, got ${JSON.stringify(props.defaultLanguage)}.`);
    environment.DEFAULT_LANGUAGE = language;
  }
  return environment;
}

/** ZITADEL's CORS answer (`cors.ts`) as the HTTP API's CORS configuration; a wrong origin stops the synth. */
function corsPreflight(origins: readonly string[] | undefined) {
  let cors;
  try {
    cors = corsSettings(origins);
  } catch (err) {
    if (err instanceof CorsOriginError) throw new ConfigurationError(err.message);
    throw err;
  }
  return {
    allowOrigins: [...cors.allowOrigins],
    allowMethods: cors.allowMethods.map((m) => CorsHttpMethod[m]),
    allowHeaders: [...cors.allowHeaders],
    exposeHeaders: [...cors.exposeHeaders],
    allowCredentials: cors.allowCredentials,
    maxAge: Duration.seconds(cors.maxAgeSeconds),
  };
}

function checkedLimits(name: string, limits: ThrottleLimits): ThrottleLimits {
  return {
    rateLimit: positiveNumber(`${name}.rateLimit`, limits.rateLimit),
    burstLimit: positiveInteger(`${name}.burstLimit`, limits.burstLimit),
  };
}
