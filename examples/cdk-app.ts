// examples/cdk-app.ts
// The construct in a CDK app of your own. From your repository, import the construct from where this
// one is (e.g. a submodule: './zitadel-deactivate-action/infra/index.ts'). Synthesizes offline:
//   npx cdk synth --app 'npx node examples/cdk-app.ts'
// Optional: ZITADEL_ISSUER, an existing table (TABLE_ARN + TABLE_STREAM_ARN), bus (EVENT_BUS_ARN),
// custom domain (DOMAIN_NAME + CERTIFICATE_ARN).
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DeactivateActionApi } from '../infra/index.ts';

const env = process.env;
const app = new App();
const stack = new Stack(app, 'MyZitadelActions', { env: { region: env.CDK_DEFAULT_REGION ?? 'eu-central-1' } });

const api = new DeactivateActionApi(stack, 'ZitadelActions', {
  zitadelIssuer: env.ZITADEL_ISSUER ?? 'https://my-instance.zitadel.cloud',
  authorizationMode: 'zitadel', // or 'claims' with zitadelAudience
  throttlingRateLimit: 50, throttlingBurstLimit: 100,
  routeThrottling: { grpcWeb: { rateLimit: 10, burstLimit: 20 } },
  alarmTopic: new Topic(stack, 'Alarms'),
  namePrefix: 'zitadel-deactivate-action-prod',
  // An existing table (with its NEW_AND_OLD_IMAGES stream) and bus; default: new ones.
  ...(env.TABLE_ARN && env.TABLE_STREAM_ARN
    ? { table: Table.fromTableAttributes(stack, 'Actions', { tableArn: env.TABLE_ARN, tableStreamArn: env.TABLE_STREAM_ARN }) }
    : {}),
  ...(env.EVENT_BUS_ARN ? { eventBus: EventBus.fromEventBusArn(stack, 'Bus', env.EVENT_BUS_ARN) } : {}),
  ...(env.DOMAIN_NAME && env.CERTIFICATE_ARN
    ? { domainName: env.DOMAIN_NAME, certificate: Certificate.fromCertificateArn(stack, 'Certificate', env.CERTIFICATE_ARN) }
    : {}),
});
// Also there: api.table, api.deactivateFunction, api.alarms, api.changeEvents?.deadLetterQueue.
new CfnOutput(stack, 'ApiUrl', { value: api.stage.url });
new CfnOutput(stack, 'TableName', { value: api.table.tableName });
app.synth();
