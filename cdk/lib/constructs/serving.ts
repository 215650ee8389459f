import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as batch from 'aws-cdk-lib/aws-batch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { GraftFunction } from './graft-function.js';
import { grantPrefixes } from './prefix-access.js';

/** Props of {@link Serving}. */
export interface ServingProps {
  /** The data bucket. */
  readonly bucket: s3.IBucket;
  /** Model served when a request names none (`GRAFT_MODEL_NAME`). */
  readonly modelName: string;
  /** Queue the API submits training jobs to. */
  readonly jobQueue: batch.IJobQueue;
  /** Job definition of the fine-tune job. */
  readonly jobDefinition: batch.IJobDefinition;
  /** Steady-state request rate limit of the HTTP API. Default 50 requests/s. */
  readonly rateLimit?: number;
  /** Burst limit of the HTTP API. Default 100. */
  readonly burstLimit?: number;
}

/**
 * The public API: the Hono app on Lambda behind an API Gateway HTTP API (throttled, access-logged),
 * a generated bearer token in Secrets Manager, permission to submit fine-tune jobs, read access to
 * `models/` and `datasets/`, and read/write access to `jobs/` only.
 *
 * @example
 * ```ts
 * const serving = new Serving(this, 'Serving', { bucket, modelName: 'default', jobQueue, jobDefinition });
 * serving.url; // https://abc123.execute-api.eu-west-1.amazonaws.com/
 * ```
 */
export class Serving extends Construct {
  /** The API function. */
  readonly handler: GraftFunction;
  /** The HTTP API. */
  readonly api: apigw.HttpApi;
  /** The bearer token clients send (`Authorization: Bearer <token>`). */
  readonly token: secretsmanager.Secret;
  /** Base URL of the API. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ServingProps) {
    super(scope, id);
    this.token = new secretsmanager.Secret(this, 'ApiToken', {
      description: 'Graft API bearer token (clients send Authorization: Bearer <token>)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(this.token, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A static bearer token shared with API clients; rotating it automatically would lock them out. ' +
          'Rotate by hand (docs/deploy.md) and redeploy clients.',
      },
    ]);

    this.handler = new GraftFunction(this, 'Api', {
      entry: 'functions/api/src/lambda.ts',
      description: 'Graft API: predictions, models and training submissions (Hono on Lambda)',
      // API Gateway HTTP APIs give up after 30 s.
      timeout: Duration.seconds(29),
      environment: {
        GRAFT_BUCKET: props.bucket.bucketName,
        GRAFT_MODEL_NAME: props.modelName,
        GRAFT_API_TOKEN_SECRET_ARN: this.token.secretArn,
        GRAFT_JOB_QUEUE: props.jobQueue.jobQueueArn,
        GRAFT_JOB_DEFINITION: props.jobDefinition.jobDefinitionArn,
      },
    });
    this.token.grantRead(this.handler.function);
    grantPrefixes(props.bucket, this.handler.function, {
      read: ['models/', 'datasets/', 'jobs/', 'backbones/'],
      write: ['jobs/', 'backbones/'],
    });
    this.handler.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['batch:SubmitJob'],
        resources: [props.jobQueue.jobQueueArn, props.jobDefinition.jobDefinitionArn],
      }),
    );
    // DELETE /v1/trainings/{id}: terminate the Batch job named in the record.
    const cancelJobs = new iam.PolicyStatement({
      actions: ['batch:TerminateJob'],
      resources: [Stack.of(this).formatArn({ service: 'batch', resource: 'job', resourceName: '*' })],
    });
    this.handler.function.addToRolePolicy(cancelJobs);
    acknowledge(this.handler, [
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*]',
        reason:
          'Batch job ids are assigned at submission, so TerminateJob (cancelling a training) cannot name them ' +
          'in advance; the wildcard covers jobs of this account and region only.',
      },
    ]);

    this.api = new apigw.HttpApi(this, 'Http', {
      description: 'Graft API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Lambda', this.handler.function, {
        payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
      }),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTimeEpoch',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = stage.url;

    acknowledge(this.api, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorisation happens in the Hono app: every route except the health check and the OpenAPI ' +
          'document requires the bearer token from Secrets Manager (constant-time comparison).',
      },
    ]);
  }
}
