/**
 * Running it in production, as synthesized: the dashboard (and `-c dashboard=false`), the init-duration metric
 * filter, the saved audit queries, tracing on request, the metrics namespace, and the checks of context keys
 * and values (unknown keys, ARNs, host names: one clear line each, also from the real `infra/app.ts`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import nag from 'cdk-nag';
import { DEACTIVATIONS_QUERY, REFUSALS_QUERY } from '../../infra/audit-queries.ts';
import { CONTEXT_KEYS, createApp } from '../../infra/create-app.ts';
import { ConfigurationError } from '../../infra/index.ts';
import { projectRoot } from '../../infra/function-bundle.ts';
import { COMPILE_CACHE } from '../support/compile-cache.ts';
import { CDK_JSON, only, resources, SKIP_BUNDLING } from './support/template.ts';

const ISSUER = 'https://example.zitadel.cloud';
const JSON_PATH = '/management/v1/actions/{id}/_deactivate';
const GRPC_PATH = '/zitadel.management.v1.ManagementService/DeactivateAction';

/** Without CDK's built-in CloudFormation validation (warnings only, ~2 s of CPU): these tests read the template. */
function synth(context: Record<string, unknown> = {}) {
  const { app, stack } = createApp({ builtinCloudFormationValidation: false, context: { ...CDK_JSON.context, ...SKIP_BUNDLING, zitadelIssuer: ISSUER, ...context } }, { nag: false });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The dashboard body with each CloudFormation reference written as `<logicalId>`, parsed. */
function dashboardWidgets(template: Template): Array<{ type: string; properties: Record<string, unknown> }> {
  const [, dashboard] = only(template, 'AWS::CloudWatch::Dashboard');
  const body = dashboard.Properties?.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return `<${ref.Ref ?? ref['Fn::GetAtt']?.join('.') ?? JSON.stringify(part)}>`;
    })
    .join('');
  return (JSON.parse(text) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> }).widgets;
}

describe('operations (default context)', () => {
  let template: Template;
  let widgets: ReturnType<typeof dashboardWidgets>;
  before(() => {
    ({ template } = synth());
    widgets = dashboardWidgets(template);
  });

  test('one dashboard named after the stack prefix with a row per concern', () => {
    assert.equal(only(template, 'AWS::CloudWatch::Dashboard')[1].Properties?.DashboardName, 'zitadel-deactivate-action');
    assert.deepEqual(
      widgets.map((w) => w.properties.title ?? w.type),
      [
        'text',
        'Alarms',
        'Requests per route',
        '4xx per route',
        '5xx per route',
        'Latency per route (p50, p99)',
        'Function duration (p50, p99, max)',
        'Init duration (cold starts)',
        'Function errors and throttles',
        'Concurrent executions',
        'Outcomes',
        'Refusals by errorId',
        'Decision cache (zitadel mode)',
        'Dependency latency (p50, p99)',
        'Table throttled requests',
        'Table system errors',
        'Change-event pipe failures',
        'Change-event dead-letter queue depth',
      ],
    );
  });

  test('per route: Count, 4xx, 5xx and Latency p50/p99 by ApiId, Stage $default, Method POST and the route path', () => {
    const [apiId] = only(template, 'AWS::ApiGatewayV2::Api');
    const metricsOf = (title: string) => (widgets.find((w) => w.properties.title === title)!.properties.metrics as unknown[][]);
    const dims = (p: string) => ['ApiId', `<${apiId}>`, 'Method', 'POST', 'Resource', p, 'Stage', '$default'];
    for (const [title, name] of [['Requests per route', 'Count'], ['4xx per route', '4xx'], ['5xx per route', '5xx']] as const) {
      assert.deepEqual(
        metricsOf(title).map((m) => m.slice(0, 10)),
        [['AWS/ApiGateway', name, ...dims(JSON_PATH)], ['AWS/ApiGateway', name, ...dims(GRPC_PATH)]],
        title,
      );
    }
    const latency = metricsOf('Latency per route (p50, p99)');
    assert.deepEqual(
      latency.map((m) => [m[7], (m[10] as { stat: string }).stat]),
      [[JSON_PATH, 'p50'], [JSON_PATH, 'p99'], [GRPC_PATH, 'p50'], [GRPC_PATH, 'p99']],
    );
  });

  test("the function's own metrics, the table's throttles and system errors, the pipe's failures and the DLQ depth are on it", () => {
    const text = JSON.stringify(widgets);
    for (const name of ['Requests', 'Deactivations', 'DecisionCacheHits', 'DecisionCacheMisses', 'ZitadelLookupLatency', 'DynamoDBLatency', 'InitDuration', 'ColdStart']) {
      assert.ok(text.includes(`"ZitadelDeactivateAction","${name}"`), name);
    }
    assert.ok(text.includes(`SEARCH('{ZitadelDeactivateAction,errorId,service} MetricName=\\"Refusals\\" service=\\"zitadel-deactivate-action\\"', 'Sum', 60)`));
    for (const name of ['ThrottledRequests', 'SystemErrors']) assert.ok(text.includes(`"AWS/DynamoDB","${name}"`), name);
    for (const name of ['ExecutionFailed', 'TargetStageFailed', 'ExecutionTimeout']) assert.ok(text.includes(`"AWS/EventBridge/Pipes","${name}","PipeName"`), name);
    assert.ok(text.includes('"AWS/SQS","ApproximateNumberOfMessagesVisible"'));
    for (const name of ['Duration', 'Errors', 'Throttles', 'ConcurrentExecutions']) assert.ok(text.includes(`"AWS/Lambda","${name}"`), name);
    const alarmWidget = widgets.find((w) => w.properties.title === 'Alarms')!;
    assert.equal((alarmWidget.properties.alarms as unknown[]).length, 6);
  });

  test('init duration: a metric filter on the REPORT line of the JSON log format, into InitDuration', () => {
    const [, filter] = only(template, 'AWS::Logs::MetricFilter');
    const [logGroupId] = resources(template, 'AWS::Logs::LogGroup').find(([id]) => id.includes('FunctionLogGroup'))!;
    assert.deepEqual(filter.Properties, {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: '{ $.type = "platform.report" && $.record.metrics.initDurationMs > 0 }',
      MetricTransformations: [{ MetricNamespace: 'ZitadelDeactivateAction', MetricName: 'InitDuration', MetricValue: '$.record.metrics.initDurationMs' }],
    });
  });

  test('audit trail: two saved Logs Insights queries on the function log group', () => {
    const [logGroupId] = resources(template, 'AWS::Logs::LogGroup').find(([id]) => id.includes('FunctionLogGroup'))!;
    const queries = resources(template, 'AWS::Logs::QueryDefinition').map(([, q]) => q.Properties);
    assert.deepEqual(queries, [
      {
        Name: 'zitadel-deactivate-action/Who deactivated which action, when',
        QueryString: 'fields @timestamp, userId, orgId, actionId, function_request_id\n| filter outcome = "deactivated"\n| sort @timestamp desc\n| limit 1000',
        LogGroupNames: [{ Ref: logGroupId }],
      },
      {
        Name: 'zitadel-deactivate-action/Refusals by error id and caller',
        QueryString:
          'filter outcome in ["rejected", "failed"]\n| stats count(*) as refusals, max(@timestamp) as last by errorId, status, userId, orgId\n| sort refusals desc\n| limit 1000',
        LogGroupNames: [{ Ref: logGroupId }],
      },
    ]);
    assert.equal(queries[0]!.QueryString, DEACTIVATIONS_QUERY.toString());
    assert.equal(queries[1]!.QueryString, REFUSALS_QUERY.toString());
  });

  test('no tracing by default: the function has no TracingConfig and its role no X-Ray permission', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    assert.equal(fn.Properties?.TracingConfig, undefined);
    assert.ok(!JSON.stringify(template.toJSON()).includes('xray:'));
  });
});

describe('operations from context', () => {
  test('-c dashboard=false: no dashboard, metric filter or per-route detailed metrics; alarms and audit queries stay', () => {
    const { template } = synth({ dashboard: 'false' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.resourceCountIs('AWS::Logs::QueryDefinition', 2);
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
    assert.equal((stage.Properties?.DefaultRouteSettings as Record<string, unknown>).DetailedMetricsEnabled, false);
    for (const settings of Object.values(stage.Properties?.RouteSettings as Record<string, Record<string, unknown>>)) {
      assert.equal(settings.DetailedMetricsEnabled, false);
    }
  });

  test('-c tracing=active: X-Ray active tracing of the function (the HTTP API stage has none), both nag packs clean', () => {
    const { app, template } = synth({ tracing: 'active' });
    const [, fn] = only(template, 'AWS::Lambda::Function');
    assert.deepEqual(fn.Properties?.TracingConfig, { Mode: 'Active' });
    const policies = JSON.stringify(resources(template, 'AWS::IAM::Policy').map(([, p]) => p.Properties));
    assert.ok(policies.includes('xray:PutTraceSegments') && policies.includes('xray:PutTelemetryRecords'));
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
    assert.deepEqual(
      Object.keys(stage.Properties ?? {}).filter((k) => /trac/i.test(k)),
      [],
      'AWS::ApiGatewayV2::Stage has no tracing setting',
    );
    const packs = [new nag.AwsSolutionsChecks(undefined, { verbose: true }), new nag.ServerlessChecks(undefined, { verbose: true })];
    assert.deepEqual(packs.flatMap((p) => p.validateScope(app).violations).map((v) => v.ruleName), []);
  });

  test('-c metricsNamespace names the namespace of the function, its alarms and the dashboard', () => {
    const { template } = synth({ metricsNamespace: 'Ops/Deactivate' });
    const [, fn] = only(template, 'AWS::Lambda::Function');
    assert.equal((fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_METRICS_NAMESPACE, 'Ops/Deactivate');
    const alarms = JSON.stringify(resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties));
    assert.equal(alarms.match(/"Namespace":"Ops\/Deactivate"/g)?.length, 4, 'refused and requests of both rate alarms');
    assert.ok(JSON.stringify(dashboardWidgets(template)).includes('"Ops/Deactivate","Deactivations"'));
  });
});

describe('context keys and values: one clear line each', () => {
  const attempt = (context: Record<string, unknown>) => () =>
    createApp({ context: { ...CDK_JSON.context, ...SKIP_BUNDLING, zitadelIssuer: ISSUER, ...context } }, { nag: false });
  const refused = (message: string) => (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.equal(error.message, message);
    return true;
  };
  const KNOWN = CONTEXT_KEYS.join(', ');

  test('an unknown key of the app is refused with the list of known ones; CDK keys and lookups are not', () => {
    assert.throws(attempt({ stag: 'prod' }), refused(`Unknown CDK context "stag"; known keys: ${KNOWN}.`));
    assert.throws(attempt({ stag: 'prod', Tracing: 'active' }), refused(`Unknown CDK context "stag", "Tracing"; known keys: ${KNOWN}.`));
    assert.ok(KNOWN.includes('corsAllowOrigins'));
    // Feature flags, CDK's own keys and its lookup cache pass.
    assert.doesNotThrow(
      attempt({
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'aws:cdk:enable-path-metadata': true,
        'acknowledged-issue-numbers': [32775],
        'availability-zones:account=123456789012:region=eu-central-1': ['eu-central-1a'],
      }),
    );
  });

  test('certificateArn, alarmTopicArn and eventBusArn must be ARNs of their service', () => {
    const domain = { domainName: 'api.example.com' };
    assert.throws(
      attempt({ ...domain, certificateArn: 'not-an-arn' }),
      refused('certificateArn must be an ARN like arn:aws:acm:eu-central-1:123456789012:certificate/<uuid>, got "not-an-arn".'),
    );
    assert.throws(attempt({ ...domain, certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/…' }), ConfigurationError);
    assert.throws(
      attempt({ ...domain, certificateArn: 'arn:aws:iam::123456789012:server-certificate/x' }),
      /certificateArn must be an ARN like/,
    );
    assert.throws(attempt({ alarmTopicArn: 'oncall' }), refused('alarmTopicArn must be an ARN like arn:aws:sns:eu-central-1:123456789012:<topic>, got "oncall".'));
    assert.throws(
      attempt({ eventBusArn: 'arn:aws:sns:eu-central-1:123456789012:bus' }),
      refused('eventBusArn must be an ARN like arn:aws:events:eu-central-1:123456789012:event-bus/<name>, got "arn:aws:sns:eu-central-1:123456789012:bus".'),
    );
    assert.doesNotThrow(attempt({ ...domain, certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0b9e7c1e-1111-2222-3333-444455556666' }));
  });

  test('domainName must be a host name', () => {
    const cert = { certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/0b9e7c1e-1111-2222-3333-444455556666' };
    for (const bad of ['…', 'https://api.example.com', 'api.example.com/x', 'api.example.com:443', 'localhost', '-api.example.com', 'api..example.com']) {
      assert.throws(
        attempt({ ...cert, domainName: bad }),
        refused(`domainName must be a host name such as api.example.com (no scheme, path or port), got "${bad}".`),
        bad,
      );
    }
    for (const good of ['api.example.com', '*.example.com', 'API.Example.com']) assert.doesNotThrow(attempt({ ...cert, domainName: good }), good);
  });

  test('dashboard, tracing and metricsNamespace values are checked', () => {
    assert.throws(attempt({ dashboard: 'off' }), refused('CDK context "dashboard" must be true or false, got "off".'));
    assert.throws(attempt({ tracing: 'on' }), refused('CDK context "tracing" must be "active" or "disabled", got "on".'));
    assert.throws(
      attempt({ metricsNamespace: 'AWS/Lambda' }),
      refused('metricsNamespace must be 1 to 255 letters, digits or . - _ / # : and not start with "AWS/", got "AWS/Lambda".'),
    );
  });

  test('`infra/app.ts` (what `cdk synth` runs) answers a mistake with one line on stderr and exit status 1', () => {
    for (const [context, line] of [
      [{ zitadelIssuer: ISSUER, stag: 'prod' }, `Error: Unknown CDK context "stag"; known keys: ${KNOWN}.`],
      [
        { zitadelIssuer: ISSUER, domainName: 'api.example.com', certificateArn: 'not-an-arn' },
        'Error: certificateArn must be an ARN like arn:aws:acm:eu-central-1:123456789012:certificate/<uuid>, got "not-an-arn".',
      ],
    ] as const) {
      const run = spawnSync(process.execPath, ['infra/app.ts'], {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...COMPILE_CACHE, PATH: process.env.PATH ?? '', CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON.context, ...SKIP_BUNDLING, ...context }) },
      });
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stderr, `${line}\n`);
      assert.equal(run.stdout, '');
    }
  });
});
