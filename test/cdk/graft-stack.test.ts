import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESM_REQUIRE_SHIM, ONE_VCPU_MB } from '../../cdk/lib/constructs/graft-function.js';
import { maskHashes, type Synthesised, synthGraft } from './synth.js';

let s: Synthesised;
beforeAll(() => {
  s = synthGraft();
}, 300_000); // one synth (esbuild bundling + asset staging); generous for a loaded 2-core CI box
afterAll(() => s?.cleanup());

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };
const resources = (type: string): [string, Resource][] =>
  Object.entries((s.json.Resources ?? {}) as Record<string, Resource>).filter(([, r]) => r.Type === type);
const logicalId = (type: string, pathPart: string): string => {
  const match = resources(type).filter(([id]) => id.includes(pathPart));
  expect(match, `${type} ${pathPart}`).toHaveLength(1);
  return match[0]![0];
};
const bucketArnJoin = (suffix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId('AWS::S3::Bucket', 'StorageData'), 'Arn'] }, suffix]],
});
/** All statements of the inline policy attached to the role whose logical id contains `rolePart`. */
const statementsOf = (rolePart: string): Record<string, unknown>[] => {
  const roleId = logicalId('AWS::IAM::Role', rolePart);
  return resources('AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
};
const s3Actions = (statements: Record<string, unknown>[]) =>
  statements
    .filter((st) => String(st.Action).startsWith('s3:'))
    .map((st) => ({
      action: st.Action,
      resources: ([] as unknown[])
        .concat(st.Resource)
        .map((r) => JSON.stringify(r).match(/\/([a-z]+\/)\*"/)?.[1] ?? 'bucket'),
      prefixes: (st.Condition as { StringLike?: { 's3:prefix': string[] } } | undefined)?.StringLike?.[
        's3:prefix'
      ],
    }));

describe('storage', () => {
  it('one encrypted, versioned, TLS-only, private data bucket with lifecycle rules and access logs', () => {
    s.template.resourceCountIs('AWS::S3::Bucket', 2);
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId('AWS::S3::Bucket', 'AccessLogs') } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'expire-features',
            Prefix: 'features/',
            ExpirationInDays: 90,
            Status: 'Enabled',
          }),
          Match.objectLike({
            Id: 'expire-rejects',
            Prefix: 'rejects/',
            ExpirationInDays: 30,
            Status: 'Enabled',
          }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        ]),
      },
    });
  });

  it('denies non-TLS access to the data bucket', () => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId('AWS::S3::Bucket', 'StorageData') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('extraction', () => {
  it('S3 ObjectCreated under datasets/ notifies the uploads queue', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalId('AWS::S3::Bucket', 'StorageData') },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'datasets/' }] } },
            QueueArn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'Uploads'), 'Arn'] },
          },
        ],
      },
    });
  });

  it('uploads queue: 256 KB messages, visibility >= 6x the function timeout, DLQ after 5 receives', () => {
    const fn = resources('AWS::Lambda::Function').find(([id]) => id.includes('ExtractionExtract'))![1];
    const timeout = fn.Properties.Timeout as number;
    const queue = resources('AWS::SQS::Queue').find(([id]) => id.includes('Uploads'))![1];
    expect(queue.Properties.MaximumMessageSize).toBeGreaterThanOrEqual(65_536);
    expect(queue.Properties.MaximumMessageSize).toBe(262_144);
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'DeadLetters'), 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it('event source mapping reports partial batch failures and caps concurrency', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'Uploads'), 'Arn'] },
      FunctionName: { Ref: logicalId('AWS::Lambda::Function', 'ExtractionExtract') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('extract Lambda: Node.js 22, arm64, one vCPU, reserved concurrency, env', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Graft extract'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1769,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 10,
      Environment: {
        Variables: {
          GRAFT_BUCKET: { Ref: logicalId('AWS::S3::Bucket', 'StorageData') },
          MALLOC_ARENA_MAX: '2',
          GRAFT_BACKEND: 'wasm',
          GRAFT_WASM_DIR: '/var/task/wasm',
          GRAFT_MODEL_DIR: '/var/task/models/mobilenet_v2',
        },
      },
    });
    expect(ONE_VCPU_MB).toBe(1769);
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'DeadLetters'), 'QueueName'] },
        },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
    });
    // … and tells someone: alarm and recovery go to an SSL-only topic (no e-mail subscribed by default)
    const topic = { Ref: logicalId('AWS::SNS::Topic', 'AlarmTopic') };
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topic], OKActions: [topic] });
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('extract role: read datasets/, features/ and backbones/, write features/ and rejects/, nothing else in S3', () => {
    expect(s3Actions(statementsOf('ExtractionExtractRole'))).toEqual([
      { action: 's3:GetObject', resources: ['datasets/', 'features/', 'backbones/'], prefixes: undefined },
      { action: 's3:PutObject', resources: ['features/', 'rejects/'], prefixes: undefined },
      { action: 's3:ListBucket', resources: ['bucket'], prefixes: undefined },
    ]);
    const statements = statementsOf('ExtractionExtractRole');
    expect(statements).toContainEqual({
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: [bucketArnJoin('/datasets/*'), bucketArnJoin('/features/*'), bucketArnJoin('/backbones/*')],
    });
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|s3:\*|s3:DeleteObject/);
  });
});

describe('bundles', () => {
  const assetDir = (fnPart: string): string => {
    const fn = resources('AWS::Lambda::Function').find(([id]) => id.includes(fnPart))![1];
    return path.join(s.outdir, String(fn.Metadata?.['aws:asset:path']));
  };

  it.each(['ExtractionExtract', 'ServingApi'])(
    '%s bundle is ESM with the require shim, wasm and model files',
    (fn) => {
      const dir = assetDir(fn);
      const index = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(index.startsWith(ESM_REQUIRE_SHIM)).toBe(true);
      const wasm = readdirSync(path.join(dir, 'wasm')).sort();
      expect(wasm).toEqual(
        expect.arrayContaining([
          'tfjs-backend-wasm-simd.wasm',
          'tfjs-backend-wasm.wasm',
          'mozjpeg_dec.wasm',
          'squoosh_png_bg.wasm',
          'webp_dec.wasm',
        ]),
      );
      for (const f of wasm) {
        // every file is a real WebAssembly binary: magic number \0asm
        expect(readFileSync(path.join(dir, 'wasm', f)).subarray(0, 4)).toEqual(
          Buffer.from([0, 0x61, 0x73, 0x6d]),
        );
      }
      expect(readdirSync(path.join(dir, 'models/mobilenet_v2')).sort()).toEqual([
        'group1-shard1of1.min.js',
        'model.min.js',
      ]);
    },
  );

  it.each(['ExtractionExtract', 'ServingApi'])(
    '%s bundle loads on its own (no node_modules) and exports handler',
    (fn) => {
      const dir = assetDir(fn);
      const url = pathToFileURL(path.join(dir, 'index.mjs')).href;
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(url)}); process.stdout.write(typeof m.handler);`,
        ],
        {
          cwd: tmpdir(),
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: 'us-east-1',
            GRAFT_BUCKET: 'graft-test',
            GRAFT_WASM_DIR: path.join(dir, 'wasm'),
            GRAFT_MODEL_DIR: path.join(dir, 'models/mobilenet_v2'),
          },
        },
      );
      expect(out).toBe('function');
    },
  );

  it('docker build context is the repo root without node_modules, tests or the CDK app', () => {
    const jd = resources('AWS::Batch::JobDefinition')[0]![1];
    const tag = JSON.stringify(jd.Properties.ContainerProperties).match(/:([0-9a-f]{64})"/)![1];
    const dir = path.join(s.outdir, `asset.${tag}`);
    expect(existsSync(path.join(dir, 'functions/finetune/Dockerfile'))).toBe(true);
    expect(existsSync(path.join(dir, 'package-lock.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'cdk/package.json'))).toBe(true);
    for (const gone of ['node_modules', 'test', '.git', 'cdk/lib', 'docs']) {
      expect(existsSync(path.join(dir, gone)), gone).toBe(false);
    }
  });
});

describe('training', () => {
  it('VPC without NAT gateways, with an S3 gateway endpoint and flow logs', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    s.template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
    s.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
    });
    s.template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  it('managed EC2 GPU compute environment scaling from zero on the ECS GPU AMI', () => {
    s.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      ComputeResources: Match.objectLike({
        Type: 'EC2',
        MinvCpus: 0,
        MaxvCpus: 8,
        InstanceTypes: ['g4dn.xlarge', 'g5.xlarge'],
        Ec2Configuration: [{ ImageType: 'ECS_AL2_NVIDIA' }],
        AllocationStrategy: 'BEST_FIT_PROGRESSIVE',
      }),
    });
  });

  it('job queue is backed by the compute environment', () => {
    s.template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        {
          ComputeEnvironment: {
            'Fn::GetAtt': [
              logicalId('AWS::Batch::ComputeEnvironment', 'TrainingGpu'),
              'ComputeEnvironmentArn',
            ],
          },
          Order: 1,
        },
      ],
    });
  });

  it('job definition: one GPU, image asset, --job parameter, retry 2 on infrastructure failures, timeout', () => {
    s.template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      PlatformCapabilities: ['EC2'],
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
        Command: ['--job', 'Ref::jobId'],
        Image: { 'Fn::Sub': Match.stringLikeRegexp('container-assets.*:[0-9a-f]{64}$') },
        Environment: Match.arrayWith([
          { Name: 'GRAFT_BUCKET', Value: { Ref: logicalId('AWS::S3::Bucket', 'StorageData') } },
          { Name: 'GRAFT_BACKEND', Value: 'tensorflow' },
        ]),
      }),
      RetryStrategy: {
        Attempts: 2,
        EvaluateOnExit: [
          { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
          { Action: 'RETRY', OnReason: 'CannotPullContainerError:*' },
          { Action: 'EXIT', OnExitCode: '*' },
        ],
      },
      Timeout: { AttemptDurationSeconds: 4 * 3600 },
    });
  });

  it('job role: reads data and backbones, reads/writes features, models and jobs; no deletes', () => {
    expect(s3Actions(statementsOf('TrainingJobRole'))).toEqual([
      {
        action: 's3:GetObject',
        resources: ['datasets/', 'features/', 'models/', 'jobs/', 'backbones/'],
        prefixes: undefined,
      },
      { action: 's3:PutObject', resources: ['features/', 'models/', 'jobs/'], prefixes: undefined },
      { action: 's3:ListBucket', resources: ['bucket'], prefixes: undefined },
    ]);
  });
});

describe('serving', () => {
  it('API Lambda: Node.js 22, arm64, one vCPU, env wired to bucket, secret, queue, job definition', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Graft API'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1769,
      Environment: {
        Variables: {
          GRAFT_BUCKET: { Ref: logicalId('AWS::S3::Bucket', 'StorageData') },
          GRAFT_MODEL_NAME: 'default',
          GRAFT_API_TOKEN_SECRET_ARN: { Ref: logicalId('AWS::SecretsManager::Secret', 'ApiToken') },
          GRAFT_JOB_QUEUE: {
            'Fn::GetAtt': [logicalId('AWS::Batch::JobQueue', 'TrainingQueue'), 'JobQueueArn'],
          },
          GRAFT_JOB_DEFINITION: { Ref: logicalId('AWS::Batch::JobDefinition', 'TrainingFineTune') },
          MALLOC_ARENA_MAX: '2',
          GRAFT_BACKEND: 'wasm',
          GRAFT_WASM_DIR: '/var/task/wasm',
          GRAFT_MODEL_DIR: '/var/task/models/mobilenet_v2',
        },
      },
    });
  });

  it('HTTP API proxies every route to the Lambda, throttled and access-logged', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'ServingApi'), 'Arn'] },
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('\\$context.requestId') }),
    });
  });

  it('token is a generated secret the API may read', () => {
    s.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
    });
    expect(statementsOf('ServingApiRole')).toContainEqual(
      expect.objectContaining({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: logicalId('AWS::SecretsManager::Secret', 'ApiToken') },
      }),
    );
  });

  it('API role: submit jobs to this queue and definition only; models/ and datasets/ read-only; jobs/ and backbones/ read/write', () => {
    const statements = statementsOf('ServingApiRole');
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'batch:SubmitJob',
        Resource: [
          { 'Fn::GetAtt': [logicalId('AWS::Batch::JobQueue', 'TrainingQueue'), 'JobQueueArn'] },
          { Ref: logicalId('AWS::Batch::JobDefinition', 'TrainingFineTune') },
        ],
      }),
    );
    expect(s3Actions(statements)).toEqual([
      {
        action: 's3:GetObject',
        resources: ['models/', 'datasets/', 'jobs/', 'backbones/'],
        prefixes: undefined,
      },
      { action: 's3:PutObject', resources: ['jobs/', 'backbones/'], prefixes: undefined },
      { action: 's3:ListBucket', resources: ['bucket'], prefixes: undefined },
    ]);
  });

  it('no function role gets an AWS managed policy or a wildcard resource', () => {
    for (const role of ['ExtractionExtractRole', 'ServingApiRole']) {
      const roleResource = resources('AWS::IAM::Role').find(([id]) => id.includes(role))![1];
      expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
      expect(JSON.stringify(statementsOf(role))).not.toContain('"Resource":"*"');
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no errors and no warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    const summary = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(summary).toEqual([]);
  });

  it('every acknowledged finding carries a written reason', () => {
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    for (const c of s.app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [raw, reason] of Object.entries(entry.data as Record<string, string>)) {
          // CDK's own constructs acknowledge CloudFormation-Validate rules; ours are the AwsSolutions ones.
          const id = raw.replace(/^annotation::/i, '');
          if (id.startsWith('AwsSolutions-')) acknowledged.push({ path: c.node.path, id, reason });
        }
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) {
      expect(a.reason.trim().split(/\s+/).length, `${a.path} ${a.id}`).toBeGreaterThanOrEqual(8);
    }
    const rules = [...new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '')))].sort();
    expect(rules).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
    ]);
  });
});

describe('snapshot', () => {
  it('matches, with asset hashes masked', () => {
    const masked = JSON.stringify(maskHashes(s.json));
    expect(masked).not.toMatch(/[0-9a-f]{64}/);
    expect(maskHashes(s.json)).toMatchSnapshot();
  });
});
