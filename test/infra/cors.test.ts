/**
 * The HTTP API's own CORS configuration (`corsPreflight`): ZITADEL's answer (infra/cors.ts), every origin by
 * default, `-c corsAllowOrigins=…` through the construct's props; preflights never reach the function
 * because the gateway answers them (no OPTIONS route exists).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../infra/create-app.ts';
import { ConfigurationError, DeactivateActionApi } from '../../infra/index.ts';
import { CDK_JSON, SKIP_BUNDLING } from './support/template.ts';

const CONTEXT = { ...CDK_JSON.context, ...SKIP_BUNDLING, zitadelIssuer: 'https://example.zitadel.cloud' };

/** Without CDK's built-in CloudFormation validation (warnings only, ~2 s of CPU): these tests read the template. */
function synth(context: Record<string, unknown> = {}) {
  const { stack } = createApp({ builtinCloudFormationValidation: false, context: { ...CONTEXT, ...context } }, { nag: false });
  return Template.fromStack(stack);
}

function corsConfiguration(template: Template): Record<string, unknown> {
  const apis = Object.values(template.findResources('AWS::ApiGatewayV2::Api')) as { Properties: Record<string, unknown> }[];
  assert.equal(apis.length, 1);
  return apis[0]!.Properties.CorsConfiguration as Record<string, unknown>;
}

/** ZITADEL's lists: cors_interceptor.go (methods, headers, exposed) and the gRPC-web wrapper of api.go (headers, 600 s). */
const ZITADEL = {
  AllowMethods: ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  AllowHeaders: [
    'origin', 'content-type', 'accept', 'accept-language', 'authorization', 'x-zitadel-orgid', 'x-user-agent', 'x-grpc-web',
    'x-requested-with', 'connect-protocol-version', 'connect-timeout-ms', 'grpc-timeout', 'u-a',
  ],
  ExposeHeaders: ['location', 'content-length', 'grpc-status', 'grpc-message', 'grpc-status-details-bin'],
  MaxAge: 600,
};

describe('CORS of the HTTP API', () => {
  test('default: every origin (ZITADEL allows any), ZITADEL’s methods and headers, no credentials with *', () => {
    const template = synth();
    assert.deepEqual(corsConfiguration(template), { ...ZITADEL, AllowOrigins: ['*'], AllowCredentials: false });
    // Only the two POST routes: an OPTIONS request can only be the gateway's own preflight answer.
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey);
    assert.deepEqual(routeKeys.sort(), [
      'POST /management/v1/actions/{id}/_deactivate',
      'POST /zitadel.management.v1.ManagementService/DeactivateAction',
    ]);
  });

  test('-c corsAllowOrigins=a,b: exactly those origins, with credentials as ZITADEL answers them', () => {
    const template = synth({ corsAllowOrigins: ' https://a.example.com, https://*.b.example.com:8443 ' });
    assert.deepEqual(corsConfiguration(template), {
      ...ZITADEL,
      AllowOrigins: ['https://a.example.com', 'https://*.b.example.com:8443'],
      AllowCredentials: true,
    });
  });

  test('-c corsAllowOrigins=* is the default', () => {
    assert.deepEqual(corsConfiguration(synth({ corsAllowOrigins: '*' })), { ...ZITADEL, AllowOrigins: ['*'], AllowCredentials: false });
  });

  test('the construct takes the origins as props', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } }), 'UserStack');
    new DeactivateActionApi(stack, 'Api', { zitadelIssuer: 'https://example.zitadel.cloud', corsAllowOrigins: ['https://console.example.com'] });
    const cors = corsConfiguration(Template.fromStack(stack));
    assert.deepEqual(cors.AllowOrigins, ['https://console.example.com']);
    assert.equal(cors.AllowCredentials, true);
  });

  test('a value that is not an origin stops the synth with a message naming the setting', () => {
    for (const bad of ['https://a.example.com/', 'https://a.example.com/app', 'a.example.com', 'ftp://a.example.com', 'https://a.example.com?x=1']) {
      assert.throws(
        () => synth({ corsAllowOrigins: bad }),
        (error: unknown) => error instanceof ConfigurationError && /corsAllowOrigins: ".*" is not an origin/.test(error.message),
        bad,
      );
    }
  });
});
