/**
 * Change events without a function of our own: the table's stream → an EventBridge Pipe (filter +
 * input transformation) → an event bus. Failed deliveries land in an SQS dead-letter queue.
 *
 * The filter pattern and the input template are exported constants: the construct below puts
 * them into the pipe, and `test/infra/change-events.test.ts` checks them against real stream
 * records from DynamoDB Local. One definition, so what is tested is what is deployed.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** `source` of every event (ZITADEL's aggregate type of an action is `action`). */
export const DEACTIVATION_EVENT_SOURCE = 'zitadel.action';
/** `detail-type` of the event (ZITADEL's own event type for the change is `action.deactivated`). */
export const DEACTIVATION_DETAIL_TYPE = 'Action Deactivated';

/**
 * EventBridge Pipes filter on the DynamoDB stream record: only a MODIFY whose old image is ACTIVE
 * and whose new image is INACTIVE, i.e. exactly the write the function makes. A create, a
 * reactivation, any other update and a delete do not pass.
 */
export const DEACTIVATION_FILTER_PATTERN = {
  eventName: ['MODIFY'],
  dynamodb: {
    OldImage: { state: { S: ['ACTIVE'] } },
    NewImage: { state: { S: ['INACTIVE'] } },
  },
} as const;

/**
 * Pipes input template: becomes the event's `detail`. Every placeholder is quoted, so each value is
 * a JSON string; `sequence` (a DynamoDB N) is therefore a decimal string, as ZITADEL writes uint64
 * in JSON (`details.sequence` of the API answer), which also keeps values above 2^53 exact.
 */
export const DEACTIVATION_INPUT_TEMPLATE =
  '{"id":"<$.dynamodb.NewImage.id.S>",' +
  '"resourceOwner":"<$.dynamodb.NewImage.resourceOwner.S>",' +
  '"sequence":"<$.dynamodb.NewImage.sequence.N>",' +
  '"changeDate":"<$.dynamodb.NewImage.changeDate.S>",' +
  '"changedBy":"<$.dynamodb.NewImage.changedBy.S>"}';

/** Stream read actions the pipe needs (EventBridge Pipes, DynamoDB source), on the stream ARN only. */
export const PIPE_STREAM_ACTIONS: readonly string[] = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

export interface ActionChangeEventsProps {
  /** The actions table; its stream (NEW_AND_OLD_IMAGES) must be enabled. */
  readonly table: ITable;
  /** An existing bus to put events on. Default: a new bus named `busName`. */
  readonly eventBus?: IEventBus;
  /** Name of the bus created when `eventBus` is not given. */
  readonly busName: string;
  /** Name prefix of the pipe (unique per account and region, hence the stage in it). */
  readonly pipeName: string;
}

export class ActionChangeEvents extends Construct {
  readonly eventBus: IEventBus;
  readonly pipe: CfnPipe;
  readonly deadLetterQueue: Queue;
  readonly role: Role;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ActionChangeEventsProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (streamArn === undefined) throw new Error('ActionChangeEvents needs a table with a stream (NEW_AND_OLD_IMAGES).');

    this.eventBus = props.eventBus ?? new EventBus(this, 'Bus', { eventBusName: props.busName });

    // Records the pipe could not deliver after its retries (the stream keeps them only 24 h).
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the pipe: nothing consumes it automatically, so no message can ' +
        'fail processing and need a further dead-letter queue; its depth has an alarm.',
    });

    // The pipe's own role: read this one stream, put events on this one bus, send to this one queue.
    this.role = new Role(this, 'PipeRole', {
      assumedBy: new ServicePrincipal('pipes.amazonaws.com'),
      description: 'Action change events pipe: read the actions table stream, PutEvents on the bus, SendMessage to its DLQ',
    });
    this.role.addToPolicy(new PolicyStatement({ actions: [...PIPE_STREAM_ACTIONS], resources: [streamArn] }));
    this.role.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.eventBus.eventBusArn] }));
    this.role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));

    this.pipe = new CfnPipe(this, 'Pipe', {
      name: props.pipeName,
      description: 'Action deactivations (ACTIVE -> INACTIVE) from the actions table stream to the event bus',
      roleArn: this.role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: 10,
          maximumRetryAttempts: 10,
          // A batch that keeps failing is split in halves until the one bad record is isolated.
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(DEACTIVATION_FILTER_PATTERN) }] },
      },
      target: this.eventBus.eventBusArn,
      targetParameters: {
        inputTemplate: DEACTIVATION_INPUT_TEMPLATE,
        eventBridgeEventBusParameters: { source: DEACTIVATION_EVENT_SOURCE, detailType: DEACTIVATION_DETAIL_TYPE },
      },
    });
    // The role's policy must exist before the pipe starts reading.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) this.pipe.node.addDependency(policy);

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      alarmDescription: 'Action change events could not be delivered to the event bus: records are waiting in the dead-letter queue.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
