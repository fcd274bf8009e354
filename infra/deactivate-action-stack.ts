/**
 * The stack `npx cdk deploy` creates: a thin wrapper around `DeactivateActionApi` that turns plain
 * values (from CDK context) into imported resources (certificate, bus, topic) and prints outputs.
 */
import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ConfigurationError, requireCertificateArn, requireEventBusArn, requireTopicArn } from './configuration.ts';
import { DeactivateActionApi } from './deactivate-action-api.ts';
import type { DeactivateActionApiProps } from './deactivate-action-api.ts';

export { ConfigurationError } from './configuration.ts';

export interface DeactivateActionStackProps
  extends StackProps,
    Omit<DeactivateActionApiProps, 'certificate' | 'eventBus' | 'alarmTopic' | 'table'> {
  /** ACM certificate (same region as the stack) for `domainName`. */
  readonly certificateArn?: string;
  /** Put events on this existing bus instead of creating one. */
  readonly eventBusArn?: string;
  /** Create an SNS topic with this e-mail subscription; every alarm notifies it. */
  readonly alarmEmail?: string;
  /** Or notify this existing topic. */
  readonly alarmTopicArn?: string;
}

/** Deliberately loose: SNS itself confirms the address by e-mail. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class DeactivateActionStack extends Stack {
  readonly service: DeactivateActionApi;
  readonly alarmTopic?: ITopic;

  constructor(scope: Construct, id: string, props: DeactivateActionStackProps) {
    super(scope, id, props);
    const { certificateArn, eventBusArn, alarmEmail, alarmTopicArn, ...rest } = props;
    if (alarmEmail !== undefined && alarmTopicArn !== undefined) {
      throw new ConfigurationError('Give alarmEmail (a new topic) or alarmTopicArn (an existing one), not both.');
    }
    if ((props.domainName === undefined) !== (certificateArn === undefined)) {
      throw new ConfigurationError('domainName and certificateArn go together: give both (an ACM certificate in this region covering the domain) or neither.');
    }
    if (certificateArn !== undefined) requireCertificateArn('certificateArn', certificateArn);
    if (alarmTopicArn !== undefined) requireTopicArn('alarmTopicArn', alarmTopicArn);
    if (eventBusArn !== undefined) requireEventBusArn('eventBusArn', eventBusArn);

    if (alarmEmail !== undefined) {
      if (!EMAIL.test(alarmEmail)) throw new ConfigurationError(`alarmEmail must be an e-mail address, got "${alarmEmail}".`);
      const topic = new Topic(this, 'AlarmTopic', { displayName: 'ZITADEL Deactivate Action alarms', enforceSSL: true });
      topic.addSubscription(new EmailSubscription(alarmEmail));
      Validations.of(topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is an e-mail address for alarm notifications: SNS retries e-mail delivery itself, and an ' +
          'undelivered notification leaves the alarm in ALARM, visible on the dashboard and in the CloudWatch console.',
      });
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry only alarm names, states and metric values, no data of the service. CloudWatch ' +
          'alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a customer managed key for ' +
          'this topic alone would add a key policy to maintain and a monthly cost.',
      });
      this.alarmTopic = topic;
    } else if (alarmTopicArn !== undefined) {
      this.alarmTopic = Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn);
    }

    this.service = new DeactivateActionApi(this, 'Service', {
      ...rest,
      ...(certificateArn === undefined ? {} : { certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn) }),
      ...(eventBusArn === undefined ? {} : { eventBus: EventBus.fromEventBusArn(this, 'EventBus', eventBusArn) }),
      ...(this.alarmTopic === undefined ? {} : { alarmTopic: this.alarmTopic }),
    });
    const { service } = this;

    new CfnOutput(this, 'ApiUrl', {
      description: 'Invoke URL of the HTTP API ($default stage); append management/v1/actions/{id}/_deactivate',
      value: service.stage.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table holding the actions (partition key resourceOwner, sort key id): npm run actions -- --table <this>',
      value: service.table.tableName,
    });
    if (service.domainName !== undefined) {
      new CfnOutput(this, 'CustomDomainUrl', {
        description: 'The API on the custom domain',
        value: `https://${(props.domainName ?? '').trim()}/`,
      });
      new CfnOutput(this, 'CustomDomainTarget', {
        description: 'Point DNS at this: a CNAME (or a Route 53 alias with CustomDomainHostedZoneId) from the custom domain',
        value: service.domainName.regionalDomainName,
      });
      new CfnOutput(this, 'CustomDomainHostedZoneId', {
        description: 'Hosted zone id of CustomDomainTarget, for a Route 53 alias record',
        value: service.domainName.regionalHostedZoneId,
      });
    }
    if (service.changeEvents !== undefined) {
      new CfnOutput(this, 'EventBusName', {
        description: 'Bus receiving "Action Deactivated" events (source zitadel.action)',
        value: service.changeEvents.eventBus.eventBusName,
      });
      new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
        description: 'Stream records the pipe could not deliver',
        value: service.changeEvents.deadLetterQueue.queueUrl,
      });
      Validations.of(service.changeEvents.deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself the dead-letter queue (of the change-events pipe); nothing consumes it automatically, and it has its own alarm.",
      });
    }
    if (this.alarmTopic !== undefined) {
      new CfnOutput(this, 'AlarmTopicArn', { description: 'Every alarm notifies this topic', value: this.alarmTopic.topicArn });
    }
  }
}
