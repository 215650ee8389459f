import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { GraftFunction } from './graft-function.js';
import { grantPrefixes } from './prefix-access.js';

/** Props of {@link Extraction}. */
export interface ExtractionProps {
  /** The data bucket; uploads under `datasets/` trigger extraction. */
  readonly bucket: s3.IBucket;
  /** Reserved concurrency of the extract function (also the event source's maximum concurrency). */
  readonly concurrency: number;
  /** Function timeout. Default 60 s (a batch of 10 images takes ~1–3 s warm). */
  readonly timeout?: Duration;
  /** Messages per invocation. Default 10. */
  readonly batchSize?: number;
  /** E-mail address told when the dead-letter alarm fires (it must confirm the subscription once). */
  readonly alarmEmail?: string;
}

/** The S3 prefix whose object-created events feed the extract function. */
export const UPLOAD_PREFIX = 'datasets/';

/** Receive attempts before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * The fan-out: S3 `ObjectCreated:*` under `datasets/` → SQS (with a dead-letter queue after
 * {@link MAX_RECEIVE_COUNT} receives) → the extract Lambda with partial batch responses, and an
 * alarm as soon as anything lands in the dead-letter queue, published to an SNS topic (optionally e-mailed).
 *
 * @example
 * ```ts
 * new Extraction(this, 'Extraction', { bucket: storage.bucket, concurrency: 10 });
 * ```
 */
export class Extraction extends Construct {
  /** The queue S3 notifies. */
  readonly queue: sqs.Queue;
  /** Messages that failed {@link MAX_RECEIVE_COUNT} times. */
  readonly deadLetterQueue: sqs.Queue;
  /** The extract function. */
  readonly handler: GraftFunction;
  /** Fires when the dead-letter queue holds at least one message. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Where the alarm goes (alarm and back to OK); subscribe a pager or chat hook to it. */
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ExtractionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(60);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue; it has no DLQ of its own.' },
    ]);

    this.queue = new sqs.Queue(this, 'Uploads', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS: visibility timeout at least 6x the function timeout, so retries by the poller never overlap.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      maxMessageSizeBytes: 262_144,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), {
      prefix: UPLOAD_PREFIX,
    });
    // CDK's singleton custom resource that writes the bucket's notification configuration.
    for (const child of Stack.of(this).node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        acknowledge(child, [
          {
            id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
            reason:
              "CDK's own BucketNotificationsHandler (runs once per deploy to set the bucket's notification " +
              'configuration) only gets log-writing permissions from this managed policy.',
          },
        ]);
      }
    }

    this.handler = new GraftFunction(this, 'Extract', {
      entry: 'functions/extract/src/lambda.ts',
      description: 'Graft extract: SQS batch of S3 upload events -> backbone features in S3',
      timeout,
      reservedConcurrentExecutions: props.concurrency,
      environment: { GRAFT_BUCKET: props.bucket.bucketName },
    });
    grantPrefixes(props.bucket, this.handler.function, {
      read: ['datasets/', 'features/', 'backbones/'],
      write: ['features/', 'rejects/'],
    });
    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.concurrency,
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'Graft: uploads failed extraction 5 times and sit in the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { enforceSSL: true });
    acknowledge(this.alarmTopic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry only the alarm name and state, no user data; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key.',
      },
    ]);
    this.deadLetterAlarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    this.deadLetterAlarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    if (props.alarmEmail)
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
  }
}
