import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { GraftConfig } from './config.js';
import { Extraction } from './constructs/extraction.js';
import { Serving } from './constructs/serving.js';
import { Storage } from './constructs/storage.js';
import { Training } from './constructs/training.js';

/** Props of {@link GraftStack}: the stack props plus every deployment parameter. */
export interface GraftStackProps extends StackProps {
  /** Resolved deployment parameters (see `parseGraftConfig`). */
  readonly config: GraftConfig;
}

/**
 * Everything Graft needs on AWS, environment-agnostic (no lookups, so it synthesises offline):
 * storage, the extraction fan-out, GPU training on Batch and the HTTP API.
 *
 * @example
 * ```ts
 * const app = new App();
 * new GraftStack(app, 'Graft', { config: parseGraftConfig(app.node.getAllContext()) });
 * ```
 */
export class GraftStack extends Stack {
  /** Bucket and access logs. */
  readonly storage: Storage;
  /** S3 → SQS → extract Lambda. */
  readonly extraction: Extraction;
  /** Batch GPU fine-tuning. */
  readonly training: Training;
  /** HTTP API. */
  readonly serving: Serving;

  constructor(scope: Construct, id: string, props: GraftStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.storage = new Storage(this, 'Storage', {
      ...(config.bucketName === undefined ? {} : { bucketName: config.bucketName }),
    });
    const bucket = this.storage.bucket;
    this.extraction = new Extraction(this, 'Extraction', {
      bucket,
      concurrency: config.extractConcurrency,
      alarmEmail: config.alarmEmail,
    });
    this.training = new Training(this, 'Training', {
      bucket,
      gpuInstanceTypes: config.gpuInstanceTypes,
      spot: config.spot,
      maxVcpus: config.maxVcpus,
      isolated: config.isolatedTraining,
    });
    this.serving = new Serving(this, 'Serving', {
      bucket,
      modelName: config.modelName,
      jobQueue: this.training.jobQueue,
      jobDefinition: this.training.jobDefinition,
    });

    new CfnOutput(this, 'BucketName', { value: bucket.bucketName, description: 'Upload data sets here' });
    new CfnOutput(this, 'ApiUrl', { value: this.serving.url, description: 'Base URL of the Graft API' });
    new CfnOutput(this, 'ApiTokenSecretArn', {
      value: this.serving.token.secretArn,
      description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString',
    });
    new CfnOutput(this, 'JobQueueArn', { value: this.training.jobQueue.jobQueueArn });
    new CfnOutput(this, 'DeadLetterAlarmName', { value: this.extraction.deadLetterAlarm.alarmName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.extraction.alarmTopic.topicArn });
  }
}
