import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { depsLockFilePath, functionEntry, HANDLER_EXPORT, nodejsBundlingOptions, projectRoot } from './function-bundle.ts';

/** The one route of the API (ZITADEL Management API `DeactivateAction`). */
export const DEACTIVATE_ROUTE_PATH = '/management/v1/actions/{id}/_deactivate';

export const DEFAULT_THROTTLING_RATE_LIMIT = 50;
export const DEFAULT_THROTTLING_BURST_LIMIT = 100;
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;

/** Value of POWERTOOLS_SERVICE_NAME (the `service` key of every log line). */
export const SERVICE_NAME = 'zitadel-deactivate-action';

/** The only actions the function may perform on the table. */
export const TABLE_ACTIONS: readonly string[] = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];

/** A wrong or missing configuration value (context or props), as opposed to a bug. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export interface DeactivateActionStackProps extends StackProps {
  /** ZITADEL issuer, e.g. `https://my-instance.zitadel.cloud` (https; a trailing slash is removed). */
  readonly zitadelIssuer: string;
  /** Required token audience: the ZITADEL project id (the function also accepts a comma-separated list). */
  readonly zitadelAudience: string;
  /** JWKS URI override (https). Default: the function derives `<issuer>/oauth/v2/keys`. */
  readonly zitadelJwksUri?: string;
  /** Steady-state requests per second for the whole API stage. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst (token bucket size) for the whole API stage. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** Retention of the function and access log groups. @default one month */
  readonly logRetention?: RetentionDays;
}

export class DeactivateActionStack extends Stack {
  readonly table: Table;
  readonly deactivateFunction: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: DeactivateActionStackProps) {
    super(scope, id, props);

    // Without trailing slash, as in the token's "iss" claim (the function normalises the same way).
    const issuer = requireHttpsUrl('zitadelIssuer', props.zitadelIssuer).replace(/\/+$/, '');
    const audience = props.zitadelAudience?.trim();
    if (!audience) throw new ConfigurationError('zitadelAudience must be a non-empty string (the ZITADEL project id).');
    const jwksUri = props.zitadelJwksUri === undefined ? undefined : requireHttpsUrl('zitadelJwksUri', props.zitadelJwksUri);
    const rateLimit = positiveNumber('throttlingRateLimit', props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT);
    const burstLimit = positiveInteger('throttlingBurstLimit', props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT);
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;

    // ---------------------------------------------------------------- storage
    this.table = new Table(this, 'ActionsTable', {
      partitionKey: { name: 'resourceOwner', type: AttributeType.STRING },
      sortKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS managed key (alias/aws/dynamodb): encrypted with KMS and every key use is visible in
      // CloudTrail, yet its key policy already lets any principal allowed to call DynamoDB in this
      // account use it through DynamoDB, so the function needs no kms:* permission. A customer
      // managed key would add a key to operate and kms:Decrypt/Encrypt grants to the role.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // The table is the system of record: `cdk destroy` or a replacement must never delete it.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---------------------------------------------------------------- function
    const functionLogGroup = new LogGroup(this, 'FunctionLogGroup', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Own role instead of the default one: the default attaches the AWS managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group of the account). This role may only
    // write to the function's own log group and perform the two table actions below.
    const role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deactivate Action function: write its own logs, GetItem/UpdateItem on the actions table',
    });
    functionLogGroup.grantWrite(role);
    // Least privilege: exactly these two actions on exactly the table ARN (no indexes, no
    // grantReadWriteData, which would also allow PutItem, DeleteItem, BatchWriteItem, Scan, ...).
    role.addToPolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS],
        resources: [this.table.tableArn],
      }),
    );

    const environment: Record<string, string> = {
      ZITADEL_ISSUER: issuer,
      ZITADEL_AUDIENCE: audience,
      ACTIONS_TABLE: this.table.tableName,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      LOG_LEVEL: 'INFO',
    };
    if (jwksUri !== undefined) environment.ZITADEL_JWKS_URI = jwksUri;

    this.deactivateFunction = new NodejsFunction(this, 'DeactivateActionFunction', {
      description: 'ZITADEL-compatible DeactivateAction (POST /management/v1/actions/{id}/_deactivate)',
      entry: functionEntry,
      handler: HANDLER_EXPORT,
      projectRoot,
      depsLockFilePath,
      bundling: nodejsBundlingOptions(),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // Memory: Lambda allocates CPU in proportion to memory. At 512 MB the cold start (loading
      // and parsing the minified bundle with the AWS SDK, the first TLS handshakes to the JWKS
      // endpoint and to DynamoDB, RS256/ES256 signature verification) gets ~4x the CPU share of
      // 128 MB, which shortens cold starts noticeably; the steady-state work per request is a
      // cached-key JWT check and one conditional UpdateItem, so more memory buys little more.
      memorySize: 512,
      // Timeout: the slowest legitimate path is a cold start that fetches the JWKS (bounded at
      // ~3 s by the function's fetch timeout) and then an UpdateItem with SDK retries (bounded at
      // ~3 s). 10 s covers both with margin for init; beyond that the request cannot succeed
      // anyway, and it stays well below API Gateway's 30 s integration timeout so callers get
      // the API's own error instead of hanging.
      timeout: Duration.seconds(10),
      role,
      logGroup: functionLogGroup,
      loggingFormat: LoggingFormat.JSON,
      // Same level as LOG_LEVEL: Powertools Logger warns when they differ.
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      environment,
      // reservedConcurrentExecutions intentionally unset: the API stage throttle bounds load and
      // reserving concurrency would take it away from the rest of the account.
    });

    // ---------------------------------------------------------------- HTTP API
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: 'zitadel-deactivate-action',
      description: 'ZITADEL-compatible Management API subset: DeactivateAction',
      // The $default stage is created below, because HttpApi's own default stage cannot be
      // given throttling or access log settings without an L1 escape hatch.
      createDefaultStage: false,
    });

    const integration = new HttpLambdaIntegration('DeactivateActionIntegration', this.deactivateFunction, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    const route = new HttpRoute(this, 'DeactivateActionRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.with(DEACTIVATE_ROUTE_PATH, HttpMethod.POST),
      integration,
    });

    const accessLogGroup = new LogGroup(this, 'ApiAccessLogGroup', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        // Variables supported by HTTP APIs only. Headers (Authorization) are never logged.
        format: AccessLogFormat.custom(
          JSON.stringify({
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
          }),
        ),
      },
    });

    // ---------------------------------------------------------------- alarms
    // No alarm actions are wired: attach an SNS topic (alarm.addAlarmAction) per environment.
    const period = Duration.minutes(5);
    const alarm = (id: string, metric: Metric, description: string): Alarm =>
      new Alarm(this, id, {
        metric,
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not an incident.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    alarm(
      'FunctionErrorsAlarm',
      this.deactivateFunction.metricErrors({ period, statistic: 'Sum' }),
      'Deactivate Action function failed (unhandled error, crash or timeout) at least once in 5 minutes.',
    );
    alarm(
      'FunctionThrottlesAlarm',
      this.deactivateFunction.metricThrottles({ period, statistic: 'Sum' }),
      'Deactivate Action function invocations were throttled by Lambda concurrency limits in the last 5 minutes.',
    );
    alarm(
      'Api5xxAlarm',
      this.api.metricServerError({ period, statistic: 'Sum' }),
      'The HTTP API returned at least one 5xx (Internal, Unavailable, integration failure) in 5 minutes.',
    );

    // ---------------------------------------------------------------- outputs
    new CfnOutput(this, 'ApiUrl', {
      description: 'Invoke URL of the HTTP API ($default stage); append management/v1/actions/{id}/_deactivate',
      value: this.stage.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table holding the actions (partition key resourceOwner, sort key id)',
      value: this.table.tableName,
    });

    // ---------------------------------------------------------------- cdk-nag
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is enforced in the function: it verifies the ZITADEL-issued JWT (signature against the ' +
        "issuer's JWKS, iss, aud, exp, nbf) and the org.action.write permission per organisation, and answers with " +
        "ZITADEL's own error bodies (Unauthenticated AUTH-7fs1e, PermissionDenied AUTH-5mWD2). ZITADEL is an external " +
        'identity provider, not IAM or Cognito, and an API Gateway JWT authorizer would reject requests with its own ' +
        'non-ZITADEL error format and cannot evaluate the per-organisation role claim.',
    });
  }
}

function requireHttpsUrl(name: string, value: string | undefined): string {
  const trimmed = value?.trim();
  if (!trimmed) throw new ConfigurationError(`${name} must be a non-empty https:// URL.`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ConfigurationError(`${name} must be an absolute https:// URL, got "${trimmed}".`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigurationError(`${name} must use https:// (the function rejects plain http outside loopback), got "${trimmed}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigurationError(`${name} must not contain a query, fragment or credentials, got "${trimmed}".`);
  }
  return trimmed;
}

function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive number, got ${value}.`);
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive integer, got ${value}.`);
  return value;
}
