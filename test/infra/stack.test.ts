/**
 * Infrastructure tests: `node_modules/.bin/node --test test/infra/stack.test.ts`
 *
 * The template assertions synthesize **without** the cdk-nag plugin, inside `before` hooks, so a
 * nag violation cannot turn the file into one unnamed error and hide them; cdk-nag has its own
 * tests below. Every app gets cdk.json's context (the feature flags), as `cdk synth` does, and
 * `aws:cdk:bundling-stacks: []` so NodejsFunction skips esbuild. The last tests bundle for real and
 * run the CDK CLI itself.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import cx from 'aws-cdk-lib/cx-api';
import nag from 'cdk-nag';
import type { IConstruct } from 'constructs';
import esbuild from 'esbuild';
import { createApp, STACK_NAME } from '../../infra/create-app.ts';
import {
  ConfigurationError,
  DEACTIVATION_DETAIL_TYPE,
  DEACTIVATION_EVENT_SOURCE,
  DEACTIVATION_FILTER_PATTERN,
  DEACTIVATION_INPUT_TEMPLATE,
  DeactivateActionApi,
} from '../../infra/index.ts';
import { BANNER, BUNDLE_FILE_NAME, esbuildOptions, functionEntry, projectRoot } from '../../infra/function-bundle.ts';
import { COMPILE_CACHE } from '../support/compile-cache.ts';
import { CDK_JSON, only, resources, SKIP_BUNDLING, type Resource } from './support/template.ts';

const ISSUER = 'https://example.zitadel.cloud';
const AUDIENCE = '69629023906488334';
const JSON_ROUTE = 'POST /management/v1/actions/{id}/_deactivate';
const GRPC_ROUTE = 'POST /zitadel.management.v1.ManagementService/DeactivateAction';
const CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/0b9e7c1e-1111-2222-3333-444455556666';
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:oncall';
const BUS = 'arn:aws:events:eu-central-1:123456789012:event-bus/company-bus';

const REQUIRED = { zitadelIssuer: ISSUER };
/** Every context value this issue adds, as in the "done when" synth. */
const FULL = {
  ...REQUIRED,
  stage: 'dev',
  domainName: 'api.example.com',
  certificateArn: CERT,
  alarmEmail: 'ops@example.com',
};

function synth(context: Record<string, unknown> = {}, appProps: AppProps = {}) {
  const { app, stack } = createApp(
    { ...appProps, context: { ...CDK_JSON.context, ...SKIP_BUNDLING, ...REQUIRED, ...context } },
    { nag: false },
  );
  return { app, stack, template: Template.fromStack(stack) };
}

function statementsOfRole(template: Template, roleId: string): unknown[] {
  const policies = resources(template, 'AWS::IAM::Policy').filter(([, p]) =>
    (p.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
  );
  assert.equal(policies.length, 1, `exactly one policy on ${roleId}`);
  return (policies[0]![1].Properties?.PolicyDocument as { Statement: unknown[] }).Statement;
}

function acknowledgedRules(root: IConstruct): string[] {
  const found: string[] = [];
  const walk = (c: IConstruct): void => {
    for (const entry of c.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
        for (const id of Object.keys(entry.data as object)) found.push(`${c.node.path} ${id.replace(/^annotation::/i, '')}`);
      }
    }
    c.node.children.forEach(walk);
  };
  walk(root);
  return found.sort();
}

function nagFindings(app: App): string[] {
  const packs = [new nag.AwsSolutionsChecks(undefined, { verbose: true }), new nag.ServerlessChecks(undefined, { verbose: true })];
  return packs.flatMap((pack) => pack.validateScope(app).violations).map(
    (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`,
  );
}

/** The two rate alarms on the function's Refusals metric: errorId, threshold (%), namespace. */
function unavailableAlarms(template: Template) {
  type Query = { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] } } };
  return resources(template, 'AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties ?? {})
    .filter((a) => a.Metrics !== undefined)
    .map((a) => {
      const queries = a.Metrics as Query[];
      const expression = queries.find((q) => q.Expression !== undefined);
      assert.equal(expression?.Expression, 'IF(requests > 0, 100 * FILL(refused, 0) / requests, 0)');
      const refused = queries.find((q) => q.Id === 'refused')!.MetricStat!.Metric;
      const requests = queries.find((q) => q.Id === 'requests')!.MetricStat!.Metric;
      assert.equal(refused.MetricName, 'Refusals');
      assert.equal(requests.MetricName, 'Requests');
      assert.deepEqual(requests.Dimensions, [{ Name: 'service', Value: 'zitadel-deactivate-action' }]);
      assert.equal(a.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
      return {
        errorId: refused.Dimensions.find((d) => d.Name === 'errorId')?.Value,
        threshold: a.Threshold,
        namespace: refused.Namespace,
      };
    })
    .sort((x, y) => String(x.errorId).localeCompare(String(y.errorId)));
}

describe('DeactivateActionStack (default context)', () => {
  let template: Template;
  let functionId: string;
  let tableId: string;
  let apiId: string;
  before(() => {
    ({ template } = synth());
    functionId = only(template, 'AWS::Lambda::Function')[0];
    tableId = only(template, 'AWS::DynamoDB::Table')[0];
    apiId = only(template, 'AWS::ApiGatewayV2::Api')[0];
  });

  test('two routes, JSON and gRPC-web, both proxied to the one function with payload format 2.0', () => {
    const [integrationId, integration] = only(template, 'AWS::ApiGatewayV2::Integration');
    assert.deepEqual(integration.Properties, {
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    const routes = resources(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    assert.deepEqual(routes.map((r) => r?.RouteKey).sort(), [JSON_ROUTE, GRPC_ROUTE].sort());
    for (const route of routes) assert.deepEqual(route?.Target, { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    // API Gateway may invoke the function only through these two routes.
    const sources = resources(template, 'AWS::Lambda::Permission').map(([, p]) => JSON.stringify(p.Properties?.SourceArn));
    assert.equal(sources.length, 2);
    assert.ok(sources.some((s) => s.includes('/*/*/management/v1/actions/{id}/_deactivate')));
    assert.ok(sources.some((s) => s.includes('/*/*/zitadel.management.v1.ManagementService/DeactivateAction')));
  });

  test('the function runs nodejs24.x on arm64 with the chosen memory, timeout and logging', () => {
    const props = only(template, 'AWS::Lambda::Function')[1].Properties ?? {};
    assert.equal(props.Runtime, 'nodejs24.x');
    assert.deepEqual(props.Architectures, ['arm64']);
    assert.equal(props.Handler, 'index.handler');
    assert.equal(props.MemorySize, 512);
    assert.equal(props.Timeout, 10);
    assert.equal(props.ReservedConcurrentExecutions, undefined);
    const [functionLogGroupId] = resources(template, 'AWS::Logs::LogGroup').find(([id]) => id.includes('FunctionLogGroup')) ?? [''];
    assert.deepEqual(props.LoggingConfig, { ApplicationLogLevel: 'INFO', LogFormat: 'JSON', LogGroup: { Ref: functionLogGroupId } });
  });

  test('the function environment (default zitadel mode): issuer, mode, table, logging; no audience needed', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    assert.deepEqual((fn.Properties?.Environment as { Variables: unknown }).Variables, {
      ZITADEL_ISSUER: ISSUER,
      AUTHZ_MODE: 'zitadel',
      ACTIONS_TABLE: { Ref: tableId },
      POWERTOOLS_SERVICE_NAME: 'zitadel-deactivate-action',
      POWERTOOLS_METRICS_NAMESPACE: 'ZitadelDeactivateAction',
      LOG_LEVEL: 'INFO',
    });
  });

  test('the table: keys, on-demand, PITR, encryption, deletion protection, retained, stream with old and new images', () => {
    const [, table] = only(template, 'AWS::DynamoDB::Table');
    assert.deepEqual(table.Properties?.KeySchema, [
      { AttributeName: 'resourceOwner', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ]);
    assert.equal(table.Properties?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(table.Properties?.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(table.Properties?.SSESpecification, { SSEEnabled: true });
    assert.equal(table.Properties?.DeletionProtectionEnabled, true);
    assert.deepEqual(table.Properties?.StreamSpecification, { StreamViewType: 'NEW_AND_OLD_IMAGES' });
    assert.equal(table.Properties?.GlobalSecondaryIndexes, undefined);
    assert.equal(table.DeletionPolicy, 'Retain');
    assert.equal(table.UpdateReplacePolicy, 'Retain');
  });

  test("the function's role: exactly GetItem/UpdateItem on the table and writing its own log group", () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId] as Resource;
    assert.equal(role.Properties?.ManagedPolicyArns, undefined, 'no AWS managed policies');
    assert.equal(role.Properties?.Policies, undefined, 'no inline policies');
    const [functionLogGroupId] = resources(template, 'AWS::Logs::LogGroup').find(([id]) => id.includes('FunctionLogGroup')) ?? [''];
    assert.deepEqual(statementsOfRole(template, roleId), [
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionLogGroupId, 'Arn'] } },
      { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    ]);
  });

  test('the pipe: from the table stream, through the shared filter and template, to the new bus, failures to the DLQ', () => {
    const [, pipe] = only(template, 'AWS::Pipes::Pipe');
    const [busId, bus] = only(template, 'AWS::Events::EventBus');
    const [queueId] = only(template, 'AWS::SQS::Queue');
    assert.equal(bus.Properties?.Name, 'zitadel-deactivate-action');
    assert.equal(pipe.Properties?.Name, 'zitadel-deactivate-action-deactivations');
    assert.deepEqual(pipe.Properties?.Source, { 'Fn::GetAtt': [tableId, 'StreamArn'] });
    assert.deepEqual(pipe.Properties?.Target, { 'Fn::GetAtt': [busId, 'Arn'] });
    assert.deepEqual(pipe.Properties?.SourceParameters, {
      DynamoDBStreamParameters: {
        BatchSize: 10,
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        MaximumRetryAttempts: 10,
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        StartingPosition: 'LATEST',
      },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(DEACTIVATION_FILTER_PATTERN) }] },
    });
    assert.deepEqual(pipe.Properties?.TargetParameters, {
      EventBridgeEventBusParameters: { DetailType: DEACTIVATION_DETAIL_TYPE, Source: DEACTIVATION_EVENT_SOURCE },
      InputTemplate: DEACTIVATION_INPUT_TEMPLATE,
    });
    assert.equal(DEACTIVATION_DETAIL_TYPE, 'Action Deactivated');
  });

  test("the pipe's own role: stream read on that stream, PutEvents on that bus, SendMessage on that queue; nothing else", () => {
    const [, pipe] = only(template, 'AWS::Pipes::Pipe');
    const roleId = (pipe.Properties?.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId] as Resource;
    assert.deepEqual(role.Properties?.AssumeRolePolicyDocument, {
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'pipes.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    const [busId] = only(template, 'AWS::Events::EventBus');
    const [queueId] = only(template, 'AWS::SQS::Queue');
    assert.deepEqual(statementsOfRole(template, roleId), [
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      },
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
    // The pipe starts only once its policy exists.
    const policyId = resources(template, 'AWS::IAM::Policy').find(([id]) => id.includes('PipeRole'))?.[0];
    assert.ok(policyId && (pipe.DependsOn ?? []).includes(policyId));
    template.resourceCountIs('AWS::IAM::Role', 2);
  });

  test('the DLQ: encrypted, TLS only, 14 days, retained, with an alarm on any waiting message', () => {
    const [queueId, queue] = only(template, 'AWS::SQS::Queue');
    assert.equal(queue.Properties?.SqsManagedSseEnabled, true);
    assert.equal(queue.Properties?.MessageRetentionPeriod, 14 * 24 * 3600);
    assert.equal(queue.DeletionPolicy, 'Retain');
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('security finding 8: each route has its own throttle bucket (stage defaults 50/100), and the stage waits for the routes', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
    assert.equal(stage.Properties?.StageName, '$default');
    assert.equal(stage.Properties?.AutoDeploy, true);
    // Detailed (per-route) metrics are on for the dashboard.
    assert.deepEqual(stage.Properties?.DefaultRouteSettings, { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true });
    assert.deepEqual(stage.Properties?.RouteSettings, {
      [JSON_ROUTE]: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true },
      [GRPC_ROUTE]: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true },
    });
    const routeIds = resources(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    for (const id of routeIds) assert.ok((stage.DependsOn ?? []).includes(id), `stage depends on ${id}`);
    const access = stage.Properties?.AccessLogSettings as { Format: string };
    assert.equal((JSON.parse(access.Format) as Record<string, string>).routeKey, '$context.routeKey');
    assert.ok(!/authorization/i.test(access.Format), 'the Authorization header is never logged');
  });

  test('six alarms (function errors, throttles, API 5xx, DLQ, ZITADEL and DynamoDB unavailable), none with an action when no topic is configured', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    const single = alarms.filter((a) => a.MetricName !== undefined);
    assert.deepEqual(single.map((a) => `${String(a.Namespace)} ${String(a.MetricName)}`).sort(), [
      'AWS/ApiGateway 5xx',
      'AWS/Lambda Errors',
      'AWS/Lambda Throttles',
      'AWS/SQS ApproximateNumberOfMessagesVisible',
    ]);
    assert.deepEqual(unavailableAlarms(template), [
      { errorId: 'AUTHZ-Zunav', threshold: 5, namespace: 'ZitadelDeactivateAction' },
      { errorId: 'STORE-Dyn14', threshold: 5, namespace: 'ZitadelDeactivateAction' },
    ]);
    for (const a of alarms) {
      assert.equal(a.AlarmActions, undefined);
      assert.equal(a.TreatMissingData, 'notBreaching');
    }
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  test('outputs without custom domain or topic: ApiUrl, TableName, EventBusName, EventsDeadLetterQueueUrl', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(Object.keys(outputs).sort(), ['ApiUrl', 'EventBusName', 'EventsDeadLetterQueueUrl', 'TableName']);
    assert.deepEqual(outputs.TableName?.Value, { Ref: tableId });
  });
});

describe('DeactivateActionStack with every context value (stage, custom domain, alarm e-mail)', () => {
  let full: ReturnType<typeof synth>;
  before(() => {
    full = synth(FULL);
  });

  test('-c stage=dev names the stack ZitadelDeactivateAction-dev and its API, bus, pipe; the default stack keeps its name', () => {
    assert.equal(full.stack.stackName, `${STACK_NAME}-dev`);
    const t = full.template;
    assert.equal(only(t, 'AWS::ApiGatewayV2::Api')[1].Properties?.Name, 'zitadel-deactivate-action-dev');
    assert.equal(only(t, 'AWS::Events::EventBus')[1].Properties?.Name, 'zitadel-deactivate-action-dev');
    assert.equal(only(t, 'AWS::Pipes::Pipe')[1].Properties?.Name, 'zitadel-deactivate-action-dev-deactivations');
    assert.equal(synth({}).stack.stackName, STACK_NAME);
    assert.equal(synth({ stage: 'prod' }).stack.stackName, `${STACK_NAME}-prod`);
  });

  test('-c domainName/certificateArn: a regional TLS 1.2 custom domain mapped to the $default stage, DNS target in the outputs', () => {
    const t = full.template;
    const [domainId, domain] = only(t, 'AWS::ApiGatewayV2::DomainName');
    assert.equal(domain.Properties?.DomainName, 'api.example.com');
    assert.deepEqual(domain.Properties?.DomainNameConfigurations, [
      { CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
    ]);
    const [, mapping] = only(t, 'AWS::ApiGatewayV2::ApiMapping');
    const [apiId] = only(t, 'AWS::ApiGatewayV2::Api');
    const [stageId] = only(t, 'AWS::ApiGatewayV2::Stage');
    assert.deepEqual(mapping.Properties, { ApiId: { Ref: apiId }, DomainName: { Ref: domainId }, Stage: '$default' });
    assert.ok((mapping.DependsOn ?? []).includes(stageId), 'the mapping waits for the stage it names');
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(outputs.CustomDomainTarget?.Value, { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
    assert.deepEqual(outputs.CustomDomainHostedZoneId?.Value, { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] });
    assert.equal(outputs.CustomDomainUrl?.Value, 'https://api.example.com/');
  });

  test('-c alarmEmail: one TLS-only topic with that e-mail subscription, and every alarm notifies it', () => {
    const t = full.template;
    const [topicId] = only(t, 'AWS::SNS::Topic');
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const alarms = resources(t, 'AWS::CloudWatch::Alarm');
    assert.equal(alarms.length, 6);
    for (const [id, a] of alarms) assert.deepEqual(a.Properties?.AlarmActions, [{ Ref: topicId }], id);
  });

  test('cdk-nag AwsSolutions and Serverless: no findings; acknowledged exactly APIG4 on both routes, SQS3 and SQSRedrivePolicy on the DLQ, SNS2 and SNSRedrivePolicy on the topic, LambdaDLQ and LambdaTracing on the function', () => {
    assert.deepEqual(nagFindings(full.app), []);
    const p = `${STACK_NAME}-dev`;
    assert.deepEqual(acknowledgedRules(full.app), [
      `${p}/AlarmTopic AwsSolutions-SNS2`,
      `${p}/AlarmTopic Serverless-SNSRedrivePolicy`,
      `${p}/Service/ChangeEvents/DeadLetterQueue AwsSolutions-SQS3`,
      `${p}/Service/ChangeEvents/DeadLetterQueue Serverless-SQSRedrivePolicy`,
      `${p}/Service/DeactivateActionFunction Serverless-LambdaDLQ`,
      `${p}/Service/DeactivateActionFunction Serverless-LambdaTracing`,
      `${p}/Service/DeactivateActionGrpcWebRoute AwsSolutions-APIG4`,
      `${p}/Service/DeactivateActionRoute AwsSolutions-APIG4`,
    ]);
    const fn = full.stack.node.findChild('Service').node.findChild('DeactivateActionFunction').node.defaultChild as CfnResource;
    assert.equal(nag.rules.lambda.LambdaDLQ(fn), nag.NagRuleCompliance.NON_COMPLIANT);
    assert.equal(nag.rules.lambda.LambdaTracing(fn), nag.NagRuleCompliance.NON_COMPLIANT);
    // None is stale: without its acknowledgment each rule fires on that very resource.
    const cfn = (c: string) => full.stack.node.findChild('Service').node.findChild(c).node.defaultChild as CfnResource;
    assert.equal(nag.rules.apigw.APIGWAuthorization(cfn('DeactivateActionRoute')), nag.NagRuleCompliance.NON_COMPLIANT);
    assert.equal(nag.rules.apigw.APIGWAuthorization(cfn('DeactivateActionGrpcWebRoute')), nag.NagRuleCompliance.NON_COMPLIANT);
    const queue = full.stack.node.findChild('Service').node.findChild('ChangeEvents').node.findChild('DeadLetterQueue').node.defaultChild as CfnResource;
    assert.equal(nag.rules.sqs.SQSQueueDLQ(queue), nag.NagRuleCompliance.NON_COMPLIANT);
    assert.equal(nag.rules.sqs.SQSRedrivePolicy(queue), nag.NagRuleCompliance.NON_COMPLIANT);
    const subscription = full.stack.node.findChild('AlarmTopic').node.findChild('ops@example.com').node.defaultChild as CfnResource;
    assert.equal(nag.rules.sns.SNSRedrivePolicy(subscription), nag.NagRuleCompliance.NON_COMPLIANT);
    const topic = full.stack.node.findChild('AlarmTopic').node.defaultChild as CfnResource;
    assert.equal(nag.rules.sns.SNSEncryptedKMS(topic), nag.NagRuleCompliance.NON_COMPLIANT);
  });

  test('with the nag plugin on (as in `cdk synth`) the full app synthesizes without CDK errors or warnings', () => {
    const { app, stack } = createApp({ context: { ...CDK_JSON.context, ...SKIP_BUNDLING, ...FULL } });
    app.synth();
    const annotations = Annotations.fromStack(stack);
    assert.deepEqual(annotations.findError('*', Match.anyValue()), []);
    assert.deepEqual(annotations.findWarning('*', Match.anyValue()), []);
  });
});

describe('other configurations', () => {
  test('claims mode: audience required and set; optional ZITADEL values reach the environment', () => {
    const { template } = synth({
      authorizationMode: 'claims',
      zitadelAudience: AUDIENCE,
      zitadelIssuer: `${ISSUER}/`,
      zitadelJwksUri: 'https://keys.example.com/oauth/v2/keys',
      zitadelApiUrl: 'https://api.example.zitadel.cloud/',
      zitadelProjectId: '69629023906488335',
      authzCacheSeconds: '0',
      defaultLanguage: 'DE',
    });
    const vars = (only(template, 'AWS::Lambda::Function')[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    assert.deepEqual(
      { ...vars, ACTIONS_TABLE: undefined },
      {
        ZITADEL_ISSUER: ISSUER,
        AUTHZ_MODE: 'claims',
        ZITADEL_AUDIENCE: AUDIENCE,
        ZITADEL_JWKS_URI: 'https://keys.example.com/oauth/v2/keys',
        ZITADEL_API_URL: 'https://api.example.zitadel.cloud',
        ZITADEL_PROJECT_ID: '69629023906488335',
        AUTHZ_CACHE_SECONDS: '0',
        DEFAULT_LANGUAGE: 'de',
        ACTIONS_TABLE: undefined,
        POWERTOOLS_SERVICE_NAME: 'zitadel-deactivate-action',
        POWERTOOLS_METRICS_NAMESPACE: 'ZitadelDeactivateAction',
        LOG_LEVEL: 'INFO',
      },
    );
  });

  test('-c alarmTopicArn: no topic is created, every alarm notifies the given one', () => {
    const { template } = synth({ alarmTopicArn: TOPIC });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const [, a] of resources(template, 'AWS::CloudWatch::Alarm')) assert.deepEqual(a.Properties?.AlarmActions, [TOPIC]);
  });

  test('-c eventBusArn: no bus is created; the pipe targets the given bus and may PutEvents only there', () => {
    const { template } = synth({ eventBusArn: BUS });
    template.resourceCountIs('AWS::Events::EventBus', 0);
    assert.equal(only(template, 'AWS::Pipes::Pipe')[1].Properties?.Target, BUS);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS }]) },
    });
  });

  test('-c changeEvents=false: no pipe, bus, queue or pipe role; the stream stays on', () => {
    const { template } = synth({ changeEvents: 'false' });
    for (const type of ['AWS::Pipes::Pipe', 'AWS::Events::EventBus', 'AWS::SQS::Queue']) template.resourceCountIs(type, 0);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('security finding 8: throttling and reserved concurrency from context; per-route limits from the construct props', () => {
    const { template } = synth({ throttlingRateLimit: '25', throttlingBurstLimit: '40', reservedConcurrency: '20' });
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
    assert.deepEqual(stage.Properties?.DefaultRouteSettings, { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40, DetailedMetricsEnabled: true });
    assert.deepEqual(stage.Properties?.RouteSettings, {
      [JSON_ROUTE]: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40, DetailedMetricsEnabled: true },
      [GRPC_ROUTE]: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40, DetailedMetricsEnabled: true },
    });
    assert.equal(only(template, 'AWS::Lambda::Function')[1].Properties?.ReservedConcurrentExecutions, 20);

    const app = new App({ context: SKIP_BUNDLING });
    const stack = new Stack(app, 'RouteLimits');
    new DeactivateActionApi(stack, 'Api', { zitadelIssuer: ISSUER, routeThrottling: { grpcWeb: { rateLimit: 5, burstLimit: 10 } } });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: {
        [JSON_ROUTE]: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, DetailedMetricsEnabled: true },
        [GRPC_ROUTE]: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10, DetailedMetricsEnabled: true },
      },
    });
  });

  test('the construct in a user app: an existing table with a stream feeds the pipe; the function is scoped to that table', () => {
    const app = new App({ context: SKIP_BUNDLING });
    const stack = new Stack(app, 'UserApp');
    const tableArn = 'arn:aws:dynamodb:eu-central-1:123456789012:table/my-actions';
    const streamArn = `${tableArn}/stream/2026-01-01T00:00:00.000`;
    const table = Table.fromTableAttributes(stack, 'Existing', { tableArn, tableStreamArn: streamArn });
    new DeactivateActionApi(stack, 'ZitadelActions', { zitadelIssuer: ISSUER, table, namePrefix: 'my-actions' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::Table', 0);
    assert.equal(only(t, 'AWS::Pipes::Pipe')[1].Properties?.Source, streamArn);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: tableArn }]) },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ACTIONS_TABLE: 'my-actions' }) } });
    // Without a stream, change events cannot be wired: said at synth, not at deploy.
    const stack2 = new Stack(app, 'UserApp2');
    const noStream = Table.fromTableArn(stack2, 'Existing', tableArn);
    assert.throws(() => new DeactivateActionApi(stack2, 'X', { zitadelIssuer: ISSUER, table: noStream }), /need the table stream/);
  });

  test('template assertions survive a cdk-nag violation, which nag then reports by rule (the test gap of item 7)', () => {
    // A stack with a violation: an unencrypted queue without TLS enforcement or DLQ.
    const { app, stack } = createApp({ context: { ...CDK_JSON.context, ...SKIP_BUNDLING, ...REQUIRED } }, { nag: false });
    new Queue(stack, 'Careless', { encryption: undefined });
    const template = Template.fromStack(stack); // does not throw: the plugin is off
    assert.deepEqual(only(template, 'AWS::DynamoDB::Table')[1].Properties?.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    const findings = nagFindings(app).join('\n');
    assert.match(findings, /AwsSolutions-SQS3 at ZitadelDeactivateAction\/Careless/);
    assert.match(findings, /AwsSolutions-SQS4 at ZitadelDeactivateAction\/Careless/);
    // And with the plugin on, as in `cdk synth`, the same violation fails the synth.
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-test-'));
    try {
      const withNag = createApp({ outdir, context: { ...CDK_JSON.context, ...SKIP_BUNDLING, ...REQUIRED } });
      new Queue(withNag.stack, 'Careless', { encryption: undefined });
      assert.throws(() => withNag.app.synth(), /Validation failed/);
      assert.match(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'), /AwsSolutions-SQS3/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("CloudFormation's own template check passes for the contexts the operations and CORS tests synthesize without it", () => {
    // cdk.json turns on @aws-cdk/core:validateAgainstDefaultRules, so a finding of CDK's built-in CloudFormation
    // check fails the synth. test/infra/operations.test.ts and cors.test.ts read their templates with the check off
    // (its WebAssembly engine costs about 2 s of CPU per process); this file pays that once, and checks them here.
    for (const context of [
      { dashboard: 'false' },
      { tracing: 'active' },
      { metricsNamespace: 'Ops/Deactivate' },
      { corsAllowOrigins: ' https://a.example.com, https://*.b.example.com:8443 ' },
      { corsAllowOrigins: '*' },
    ]) {
      assert.doesNotThrow(() => synth(context), JSON.stringify(context));
    }
    // And the check is on in these synths: a template it refuses fails the synth.
    const { stack } = createApp({ context: { ...CDK_JSON.context, ...SKIP_BUNDLING, ...REQUIRED } }, { nag: false });
    const fn = stack.node.findAll().filter(CfnResource.isCfnResource).find((c) => c.cfnResourceType === 'AWS::Lambda::Function');
    assert.ok(fn);
    fn.addPropertyOverride('Timeout', 'not-a-number');
    assert.throws(() => Template.fromStack(stack), /Validation failed/); // its report: Timeout is not of type 'integer'
  });

  test('cdk.json sets every feature flag a new app gets, with the recommended value', () => {
    const recommended = cx.CURRENTLY_RECOMMENDED_FLAGS as Record<string, unknown>;
    assert.ok(Object.keys(recommended).length > 50);
    for (const [flag, value] of Object.entries(recommended)) assert.deepEqual(CDK_JSON.context[flag], value, flag);
  });
});

describe('configuration from CDK context', () => {
  const attempt = (context: Record<string, unknown>) => () => createApp({ context: { ...SKIP_BUNDLING, ...context } }, { nag: false });
  const configError = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof ConfigurationError, String(error));
    assert.match(error.message, pattern);
    return true;
  };

  test('a missing issuer fails with the -c zitadelIssuer flag in the message; the audience is not asked for in zitadel mode', () => {
    assert.throws(attempt({}), (error: unknown) => {
      configError(/Missing required CDK context "zitadelIssuer"/)(error);
      assert.match((error as Error).message, /-c zitadelIssuer=https:\/\//);
      assert.doesNotMatch((error as Error).message, /zitadelAudience/);
      return true;
    });
  });

  test('claims mode without audience names both flags; an unknown mode is refused', () => {
    assert.throws(attempt({ authorizationMode: 'claims', zitadelIssuer: '  ' }), configError(/"zitadelIssuer" and "zitadelAudience"/));
    assert.throws(attempt({ authorizationMode: 'claims', ...REQUIRED }), configError(/Missing required CDK context "zitadelAudience"/));
    assert.throws(attempt({ authorizationMode: 'roles', ...REQUIRED }), configError(/"zitadel" or "claims"/));
  });

  test('invalid values are rejected with clear messages', () => {
    assert.throws(attempt({ zitadelIssuer: 'http://example.zitadel.cloud' }), configError(/zitadelIssuer must use https:\/\//));
    assert.throws(attempt({ zitadelIssuer: 'example.zitadel.cloud' }), configError(/zitadelIssuer must be an absolute https:\/\/ URL/));
    assert.throws(attempt({ ...REQUIRED, zitadelJwksUri: 'http://keys.example.com' }), configError(/zitadelJwksUri must use https:\/\//));
    assert.throws(attempt({ ...REQUIRED, zitadelApiUrl: 'http://api.example.com' }), configError(/zitadelApiUrl must use https:\/\//));
    assert.throws(attempt({ ...REQUIRED, throttlingRateLimit: 'fast' }), configError(/"throttlingRateLimit" must be a positive number/));
    assert.throws(attempt({ ...REQUIRED, throttlingBurstLimit: '1.5' }), configError(/throttlingBurstLimit must be a positive integer/));
    assert.throws(attempt({ ...REQUIRED, authzCacheSeconds: '-1' }), configError(/authzCacheSeconds/));
    assert.throws(attempt({ ...REQUIRED, authzCacheSeconds: '301' }), configError(/authzCacheSeconds must be at most 300/));
    assert.throws(attempt({ ...REQUIRED, defaultLanguage: 'de-CH' }), configError(/defaultLanguage must be one of ZITADEL's languages/));
    assert.throws(attempt({ ...REQUIRED, stage: 'dev/1' }), configError(/stage must be 1 to 20 letters/));
    assert.throws(attempt({ ...REQUIRED, domainName: 'api.example.com' }), configError(/domainName and certificateArn go together/));
    assert.throws(attempt({ ...REQUIRED, alarmEmail: 'ops@example.com', alarmTopicArn: TOPIC }), configError(/not both/));
    assert.throws(attempt({ ...REQUIRED, alarmEmail: 'ops' }), configError(/alarmEmail must be an e-mail address/));
    assert.throws(attempt({ ...REQUIRED, changeEvents: 'no' }), configError(/"changeEvents" must be true or false/));
    // A JSON number would silently lose digits of a ZITADEL id.
    assert.throws(attempt({ ...REQUIRED, authorizationMode: 'claims', zitadelAudience: 69629023906488320 }), configError(/must be a string/));
  });
});

describe('bundling and the CDK CLI (real esbuild, no Docker)', () => {
  test('the CDK asset is the esbuild bundle of function-bundle.ts: ESM, AWS SDK included, identical bytes', async () => {
    assert.ok(existsSync(functionEntry), `entry ${functionEntry} must exist`);
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-bundle-test-'));
    const esbuildOut = mkdtempSync(path.join(os.tmpdir(), 'esbuild-bundle-test-'));
    try {
      // No aws:cdk:bundling-stacks override, so NodejsFunction really bundles.
      const { app, stack } = createApp({ outdir, context: { ...CDK_JSON.context, ...REQUIRED } });
      const assembly = app.synth();
      const fn = only(Template.fromStack(stack), 'AWS::Lambda::Function')[1];
      const s3Key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const bundlePath = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`, BUNDLE_FILE_NAME);
      assert.ok(existsSync(bundlePath), `bundled ${bundlePath}`);
      assert.ok(existsSync(`${bundlePath}.map`), 'source map next to the bundle');
      const bundle = readFileSync(bundlePath, 'utf8');
      assert.ok(bundle.startsWith(BANNER), 'the createRequire banner comes first');
      assert.match(bundle, /export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/, 'ESM export of handler');
      assert.doesNotMatch(bundle, /from\s*"@aws-sdk\//, 'the AWS SDK is bundled, not imported from the runtime');
      assert.doesNotMatch(bundle, /from\s*"@smithy\//, 'the AWS SDK is bundled, not imported from the runtime');
      assert.doesNotMatch(bundle, /(from|import)\s*"(node:)?[a-z_]+(\/[a-z_]+)?"/, 'no ES import of a Node built-in');
      assert.doesNotMatch(bundle, /AWS_WEB_IDENTITY_TOKEN_FILE|AWS_CONTAINER_CREDENTIALS_FULL_URI/, 'only the environment credential provider');
      const result = await esbuild.build({ ...esbuildOptions, outfile: path.join(esbuildOut, BUNDLE_FILE_NAME), logLevel: 'silent' });
      assert.deepEqual(result.errors, []);
      assert.ok(
        readFileSync(path.join(esbuildOut, BUNDLE_FILE_NAME)).equals(readFileSync(bundlePath)),
        'esbuild API build with esbuildOptions must be byte-identical to the CDK asset',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(esbuildOut, { recursive: true, force: true });
    }
  });

  test('`cdk synth` with every context value: offline, no feature-flag warning, the stage-named stack with pipe, DLQ, domain, topic', () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-cli-test-'));
    try {
      const args = ['synth', '--quiet', '--no-notices', '--output', outdir, ...Object.entries(FULL).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      const run = spawnSync(path.join(projectRoot, 'node_modules/.bin/cdk'), args, {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 240_000,
        // No credentials and no region: synthesis must not need them.
        env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CI: 'true', ...COMPILE_CACHE },
      });
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.status, 0, output);
      assert.doesNotMatch(output, /feature flags? (are|is) not configured/i);
      const template = JSON.parse(readFileSync(path.join(outdir, `${STACK_NAME}-dev.template.json`), 'utf8')) as {
        Resources: Record<string, Resource>;
      };
      const types = Object.values(template.Resources).map((r) => r.Type);
      for (const type of ['AWS::Pipes::Pipe', 'AWS::SQS::Queue', 'AWS::ApiGatewayV2::DomainName', 'AWS::ApiGatewayV2::ApiMapping', 'AWS::SNS::Topic']) {
        assert.ok(types.includes(type), `${type} in the synthesized template`);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
