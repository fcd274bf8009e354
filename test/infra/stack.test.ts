/**
 * Infrastructure tests: `node_modules/.bin/node --test test/infra/stack.test.ts`
 *
 * All tests but one synthesise with the context `aws:cdk:bundling-stacks: []`, which makes
 * NodejsFunction skip esbuild (fast). The last test bundles for real and checks that the CDK
 * asset is byte-identical to a build with esbuild's API from `infra/function-bundle.ts`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import type { AppProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import nag from 'cdk-nag';
import type { IConstruct } from 'constructs';
import esbuild from 'esbuild';
import { createApp, STACK_NAME } from '../../infra/create-app.ts';
import { ConfigurationError } from '../../infra/deactivate-action-stack.ts';
import { BANNER, BUNDLE_FILE_NAME, esbuildOptions, functionEntry } from '../../infra/function-bundle.ts';

const ISSUER = 'https://example.zitadel.cloud';
const AUDIENCE = '69629023906488334';
const ROUTE_KEY = 'POST /management/v1/actions/{id}/_deactivate';

const REQUIRED_CONTEXT = { zitadelIssuer: ISSUER, zitadelAudience: AUDIENCE };
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

function synth(context: Record<string, unknown> = {}, appProps: AppProps = {}) {
  const { app, stack } = createApp({ ...appProps, context: { ...SKIP_BUNDLING, ...REQUIRED_CONTEXT, ...context } });
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

/** The single resource of a type, with its logical id. */
function only(template: Template, type: string): [string, Resource] {
  const found = Object.entries(template.findResources(type) as Record<string, Resource>);
  assert.equal(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
}

function logicalIdOf(template: Template, type: string): string {
  return only(template, type)[0];
}

// One synthesis shared by the read-only assertions below.
const base = synth();
const { template } = base;
const functionId = logicalIdOf(template, 'AWS::Lambda::Function');
const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table');
const apiId = logicalIdOf(template, 'AWS::ApiGatewayV2::Api');

describe('DeactivateActionStack', () => {
  test('the HTTP API has exactly the one route, proxied to the function with payload format 2.0', () => {
    assert.equal(only(template, 'AWS::ApiGatewayV2::Api')[1].Properties?.ProtocolType, 'HTTP');
    const [, route] = only(template, 'AWS::ApiGatewayV2::Route');
    assert.equal(route.Properties?.RouteKey, ROUTE_KEY);
    const [integrationId, integration] = only(template, 'AWS::ApiGatewayV2::Integration');
    assert.deepEqual(route.Properties?.Target, { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] });
    assert.deepEqual(integration.Properties, {
      ApiId: { Ref: apiId },
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    // API Gateway may invoke the function only through this route.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith(['/*/*/management/v1/actions/{id}/_deactivate'])] },
    });
    template.resourceCountIs('AWS::Lambda::Permission', 1);
  });

  test('the function runs nodejs24.x on arm64 with the chosen memory, timeout and logging', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    const props = fn.Properties ?? {};
    assert.equal(props.Runtime, 'nodejs24.x');
    assert.deepEqual(props.Architectures, ['arm64']);
    assert.equal(props.Handler, 'index.handler');
    assert.equal(props.MemorySize, 512);
    assert.equal(props.Timeout, 10);
    assert.equal(props.ReservedConcurrentExecutions, undefined);
    const [functionLogGroupId] = Object.entries(template.findResources('AWS::Logs::LogGroup')).find(([id]) =>
      id.startsWith('FunctionLogGroup'),
    ) ?? [''];
    assert.deepEqual(props.LoggingConfig, {
      ApplicationLogLevel: 'INFO',
      LogFormat: 'JSON',
      LogGroup: { Ref: functionLogGroupId },
    });
  });

  test('the function environment is exactly the documented variables', () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    assert.deepEqual((fn.Properties?.Environment as { Variables: unknown }).Variables, {
      ZITADEL_ISSUER: ISSUER,
      ZITADEL_AUDIENCE: AUDIENCE,
      ACTIONS_TABLE: { Ref: tableId },
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'zitadel-deactivate-action',
      LOG_LEVEL: 'INFO',
    });
  });

  test('ZITADEL_JWKS_URI is set only when zitadelJwksUri is given; a trailing slash of the issuer is removed', () => {
    const jwks = 'https://keys.example.com/oauth/v2/keys';
    const { template: t } = synth({ zitadelJwksUri: jwks, zitadelIssuer: `${ISSUER}/` });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { ZITADEL_JWKS_URI: jwks, ZITADEL_ISSUER: ISSUER } },
    });
  });

  test('the table: keys, on-demand billing, PITR, encryption, deletion protection, retained', () => {
    const [, table] = only(template, 'AWS::DynamoDB::Table');
    assert.deepEqual(table.Properties?.KeySchema, [
      { AttributeName: 'resourceOwner', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ]);
    assert.deepEqual(table.Properties?.AttributeDefinitions, [
      { AttributeName: 'resourceOwner', AttributeType: 'S' },
      { AttributeName: 'id', AttributeType: 'S' },
    ]);
    assert.equal(table.Properties?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(table.Properties?.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(table.Properties?.SSESpecification, { SSEEnabled: true }); // KMS, AWS managed key
    assert.equal(table.Properties?.DeletionProtectionEnabled, true);
    assert.equal(table.Properties?.GlobalSecondaryIndexes, undefined);
    assert.equal(table.DeletionPolicy, 'Retain');
    assert.equal(table.UpdateReplacePolicy, 'Retain');
  });

  test("the function's role allows exactly GetItem/UpdateItem on the table and writing its own log group", () => {
    const [, fn] = only(template, 'AWS::Lambda::Function');
    const roleArn = fn.Properties?.Role as { 'Fn::GetAtt': [string, string] };
    const roleId = roleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId] as Resource;
    assert.equal(role.Type, 'AWS::IAM::Role');
    assert.equal(role.Properties?.ManagedPolicyArns, undefined, 'no AWS managed policies (e.g. AWSLambdaBasicExecutionRole)');
    assert.equal(role.Properties?.Policies, undefined, 'no inline policies on the role itself');

    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>).filter((p) =>
      (p.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
    );
    assert.equal(policies.length, 1, 'exactly one policy attached to the function role');
    const [functionLogGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) =>
      id.startsWith('FunctionLogGroup'),
    );
    assert.deepEqual((policies[0]?.Properties?.PolicyDocument as { Statement: unknown }).Statement, [
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [functionLogGroupId, 'Arn'] },
      },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('the $default stage auto-deploys with default throttling and JSON access logs', () => {
    const [, stage] = only(template, 'AWS::ApiGatewayV2::Stage');
    assert.equal(stage.Properties?.StageName, '$default');
    assert.equal(stage.Properties?.AutoDeploy, true);
    assert.deepEqual(stage.Properties?.DefaultRouteSettings, { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const access = stage.Properties?.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const [accessLogGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) =>
      id.startsWith('ApiAccessLogGroup'),
    );
    assert.deepEqual(access.DestinationArn, { 'Fn::GetAtt': [accessLogGroupId, 'Arn'] });
    const format = JSON.parse(access.Format) as Record<string, string>;
    assert.equal(format.requestId, '$context.requestId');
    assert.equal(format.status, '$context.status');
    assert.ok(!/authorization/i.test(access.Format), 'the Authorization header is never logged');
  });

  test('throttling follows the context values', () => {
    const { template: t } = synth({ throttlingRateLimit: '25', throttlingBurstLimit: '40' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 40 },
    });
  });

  test('both log groups have a retention and are retained', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>);
    assert.equal(groups.length, 2);
    for (const group of groups) {
      assert.equal(group.Properties?.RetentionInDays, 30);
      assert.equal(group.DeletionPolicy, 'Retain');
    }
  });

  test('three alarms: function errors, function throttles, API 5xx; missing data is not breaching', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>);
    const metrics = alarms
      .map((a) => ({
        namespace: a.Properties?.Namespace,
        metric: a.Properties?.MetricName,
        dimensions: a.Properties?.Dimensions,
        statistic: a.Properties?.Statistic,
        period: a.Properties?.Period,
        threshold: a.Properties?.Threshold,
        comparison: a.Properties?.ComparisonOperator,
        missing: a.Properties?.TreatMissingData,
      }))
      .sort((a, b) => String(a.metric).localeCompare(String(b.metric)));
    const common = { statistic: 'Sum', period: 300, threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', missing: 'notBreaching' };
    assert.deepEqual(metrics, [
      { namespace: 'AWS/ApiGateway', metric: '5xx', dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }], ...common },
      { namespace: 'AWS/Lambda', metric: 'Errors', dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }], ...common },
      { namespace: 'AWS/Lambda', metric: 'Throttles', dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }], ...common },
    ]);
  });

  test('outputs: ApiUrl (the $default stage invoke URL) and TableName', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(Object.keys(outputs).sort(), ['ApiUrl', 'TableName']);
    assert.deepEqual(outputs.ApiUrl?.Value, {
      'Fn::Join': ['', ['https://', { Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/']],
    });
    assert.deepEqual(outputs.TableName?.Value, { Ref: tableId });
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings; the only acknowledgment is APIG4 on the route', () => {
    const report = new nag.AwsSolutionsChecks(undefined, { verbose: true }).validateScope(base.app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`,
    );
    assert.deepEqual(findings, []);
    assert.equal(report.success, true);

    const acknowledged: string[] = [];
    const walk = (c: IConstruct): void => {
      for (const entry of c.node.metadata) {
        if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          for (const id of Object.keys(entry.data as object)) acknowledged.push(`${c.node.path} ${id.replace(/^annotation::/i, '')}`);
        }
      }
      c.node.children.forEach(walk);
    };
    walk(base.app);
    assert.deepEqual(acknowledged, [`${STACK_NAME}/DeactivateActionRoute AwsSolutions-APIG4`]);

    // The acknowledgment is not stale: without it the rule would fire on this very route.
    const cfnRoute = base.stack.node.findChild('DeactivateActionRoute').node.defaultChild as CfnResource;
    assert.equal(nag.rules.apigw.APIGWAuthorization(cfnRoute), nag.NagRuleCompliance.NON_COMPLIANT);
  });

  test('synthesis reports no CDK errors or warnings (nag runs as a validation plugin in createApp)', () => {
    const annotations = Annotations.fromStack(base.stack);
    assert.deepEqual(annotations.findError('*', Match.anyValue()), []);
    assert.deepEqual(annotations.findWarning('*', Match.anyValue()), []);
  });
});

describe('configuration from CDK context', () => {
  const attempt = (context: Record<string, unknown>) => () => createApp({ context: { ...SKIP_BUNDLING, ...context } });

  test('a missing issuer fails with the -c zitadelIssuer flag in the message', () => {
    assert.throws(attempt({ zitadelAudience: AUDIENCE }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, /Missing required CDK context "zitadelIssuer"/);
      assert.match(error.message, /-c zitadelIssuer=https:\/\//);
      assert.doesNotMatch(error.message, /"zitadelAudience"/);
      return true;
    });
  });

  test('a missing audience fails with the -c zitadelAudience flag in the message', () => {
    assert.throws(attempt({ zitadelIssuer: ISSUER }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(error.message, /Missing required CDK context "zitadelAudience"/);
      assert.match(error.message, /-c zitadelAudience=/);
      return true;
    });
  });

  test('both missing (or empty) are reported together', () => {
    assert.throws(attempt({ zitadelIssuer: '  ' }), /"zitadelIssuer" and "zitadelAudience"/);
  });

  test('invalid values are rejected with clear messages', () => {
    assert.throws(attempt({ zitadelIssuer: 'http://example.zitadel.cloud', zitadelAudience: AUDIENCE }), /zitadelIssuer must use https:\/\//);
    assert.throws(attempt({ zitadelIssuer: 'example.zitadel.cloud', zitadelAudience: AUDIENCE }), /zitadelIssuer must be an absolute https:\/\/ URL/);
    assert.throws(attempt({ ...REQUIRED_CONTEXT, zitadelJwksUri: 'http://keys.example.com' }), /zitadelJwksUri must use https:\/\//);
    assert.throws(attempt({ ...REQUIRED_CONTEXT, throttlingRateLimit: 'fast' }), /"throttlingRateLimit" must be a positive number/);
    assert.throws(attempt({ ...REQUIRED_CONTEXT, throttlingBurstLimit: '1.5' }), /throttlingBurstLimit must be a positive integer/);
    // A JSON number would silently lose digits of a ZITADEL id.
    assert.throws(attempt({ zitadelIssuer: ISSUER, zitadelAudience: 69629023906488334 }), /must be a string \(quote it in cdk.json\)/);
  });
});

describe('bundling (real esbuild, no Docker)', () => {
  test('the CDK asset is the esbuild bundle of function-bundle.ts: ESM, AWS SDK included, identical bytes', async () => {
    assert.ok(existsSync(functionEntry), `entry ${functionEntry} must exist`);
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-bundle-test-'));
    const esbuildOut = mkdtempSync(path.join(os.tmpdir(), 'esbuild-bundle-test-'));
    try {
      // Default App: no aws:cdk:bundling-stacks override, so NodejsFunction really bundles.
      const { app, stack } = createApp({ outdir, context: REQUIRED_CONTEXT });
      const assembly = app.synth();
      const t = Template.fromStack(stack);
      const [, fn] = only(t, 'AWS::Lambda::Function');
      const s3Key = (fn.Properties?.Code as { S3Key: string }).S3Key;
      const assetDir = path.join(assembly.directory, `asset.${s3Key.replace(/\.zip$/, '')}`);
      const bundlePath = path.join(assetDir, BUNDLE_FILE_NAME);
      assert.ok(existsSync(bundlePath), `bundled ${bundlePath}`);
      assert.ok(existsSync(`${bundlePath}.map`), 'source map next to the bundle');

      const bundle = readFileSync(bundlePath, 'utf8');
      assert.ok(bundle.startsWith(BANNER), 'the createRequire banner comes first');
      assert.match(bundle, /export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/, 'ESM export of handler');
      assert.doesNotMatch(bundle, /from\s*"@aws-sdk\//, 'the AWS SDK is bundled, not imported from the runtime');
      assert.doesNotMatch(bundle, /from\s*"@smithy\//, 'the AWS SDK is bundled, not imported from the runtime');
      // Cold start: built-ins come through process.getBuiltinModule (see NODE_BUILTINS), never as
      // ES imports, whose module facades cost ~25 ms; and no credential chain beyond the environment.
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
});
