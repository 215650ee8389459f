import { Duration, Size } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { REPO_ROOT } from '../paths.js';
import { grantPrefixes } from './prefix-access.js';

/** Props of {@link Training}. */
export interface TrainingProps {
  /** The data bucket. */
  readonly bucket: s3.IBucket;
  /** GPU instance types the compute environment may launch. */
  readonly gpuInstanceTypes: readonly string[];
  /** Use Spot capacity. */
  readonly spot: boolean;
  /** Maximum vCPUs running at once. */
  readonly maxVcpus: number;
  /**
   * Run the instances in isolated subnets behind interface endpoints (ECR, ECS, CloudWatch Logs)
   * instead of public subnets with a public IP. Costs ~$0.01/h per endpoint per AZ while deployed.
   * Default false.
   */
  readonly isolated?: boolean;
  /** Job timeout. Default 4 h. */
  readonly jobTimeout?: Duration;
}

/**
 * Paths left out of the Docker build context (the repository root): dependencies are installed by
 * `npm ci` inside the image, and nothing else is needed to run the job.
 *
 * @example
 * ```ts
 * ecs.ContainerImage.fromAsset(REPO_ROOT, { file: FINETUNE_DOCKERFILE, exclude: DOCKER_CONTEXT_EXCLUDES });
 * ```
 */
export const DOCKER_CONTEXT_EXCLUDES = [
  '**/node_modules',
  '.git',
  '**/.graft',
  '**/cdk.out',
  '**/dist',
  'test',
  'docs',
  '.ci',
  '**/*.log',
  '**/*.md',
  // The CDK app itself is not part of the image; only its manifest, which `npm ci` needs for the workspace.
  'cdk/*',
  '!cdk/package.json',
  'biome.json',
  'vitest.config.ts',
];

/** The fine-tune Dockerfile, relative to the repository root (the build context). */
export const FINETUNE_DOCKERFILE = 'functions/finetune/Dockerfile';

/** Interface endpoints an ECS container instance needs to run a job from ECR without internet. */
const ISOLATED_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
  EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
};

/**
 * GPU fine-tuning on AWS Batch: a VPC without NAT gateways (S3 through a free gateway endpoint), a
 * managed EC2 compute environment of GPU instances on the ECS GPU AMI scaling from 0 vCPUs, a job
 * queue, and a job definition that runs `functions/finetune` (one GPU) as
 * `node --import tsx functions/finetune/src/main.ts --job <jobId>`.
 *
 * @example
 * ```ts
 * const training = new Training(this, 'Training', {
 *   bucket, gpuInstanceTypes: ['g4dn.xlarge'], spot: true, maxVcpus: 8,
 * });
 * training.jobQueue.jobQueueArn;
 * ```
 */
export class Training extends Construct {
  /** The network the GPU instances run in. */
  readonly vpc: ec2.Vpc;
  /** The GPU compute environment. */
  readonly computeEnvironment: batch.ManagedEc2EcsComputeEnvironment;
  /** Where the API submits training jobs. */
  readonly jobQueue: batch.JobQueue;
  /** The fine-tune job definition. */
  readonly jobDefinition: batch.EcsJobDefinition;
  /** The role the job's container runs as. */
  readonly jobRole: iam.Role;

  constructor(scope: Construct, id: string, props: TrainingProps) {
    super(scope, id);
    const isolated = props.isolated ?? false;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'Instances', {
      vpc: this.vpc,
      description: 'Graft GPU training instances: no inbound, outbound for S3/ECR/ECS/logs',
      allowAllOutbound: true,
    });
    if (isolated) {
      // Endpoints accept HTTPS from the training instances only (not from the whole VPC CIDR).
      const endpointGroup = new ec2.SecurityGroup(this, 'Endpoints', {
        vpc: this.vpc,
        description: 'Graft interface endpoints: HTTPS from the training instances only',
        allowAllOutbound: false,
      });
      endpointGroup.addIngressRule(securityGroup, ec2.Port.tcp(443), 'HTTPS from training instances');
      for (const [name, service] of Object.entries(ISOLATED_ENDPOINTS)) {
        this.vpc.addInterfaceEndpoint(name, {
          service,
          subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          securityGroups: [endpointGroup],
          open: false,
        });
      }
    }
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
    });

    this.computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'Gpu', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: isolated ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      launchTemplate,
      instanceTypes: props.gpuInstanceTypes.map((t) => new ec2.InstanceType(t)),
      useOptimalInstanceClasses: false,
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2_NVIDIA }],
      minvCpus: 0,
      maxvCpus: props.maxVcpus,
      spot: props.spot,
      allocationStrategy: props.spot
        ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED
        : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
    });

    this.jobQueue = new batch.JobQueue(this, 'Queue', {
      priority: 1,
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Graft fine-tune job: reads data sets and features, writes models and job status',
    });
    grantPrefixes(props.bucket, this.jobRole, {
      read: ['datasets/', 'features/', 'models/', 'jobs/', 'backbones/'],
      write: ['features/', 'models/', 'jobs/'],
    });

    const timeout = props.jobTimeout ?? Duration.hours(4);
    const container = new batch.EcsEc2ContainerDefinition(this, 'Container', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: FINETUNE_DOCKERFILE,
        exclude: DOCKER_CONTEXT_EXCLUDES,
        platform: Platform.LINUX_AMD64,
      }),
      gpu: 1,
      cpu: 4,
      // g4dn.xlarge and g5.xlarge both have 16 GiB; leave room for the ECS agent and the OS.
      memory: Size.gibibytes(12),
      jobRole: this.jobRole,
      command: ['--job', 'Ref::jobId'],
      environment: {
        GRAFT_BUCKET: props.bucket.bucketName,
        GRAFT_BACKEND: 'tensorflow',
        // The job stops itself (failed, time_budget_exceeded, nothing published) five minutes before Batch's
        // timeout would kill it without a word in its record.
        GRAFT_JOB_MAX_SECONDS: String(Math.max(60, timeout.toSeconds() - 300)),
      },
    });

    this.jobDefinition = new batch.EcsJobDefinition(this, 'FineTune', {
      container,
      parameters: { jobId: 'missing-job-id' },
      timeout,
      retryAttempts: 2,
      retryStrategies: [
        // Infrastructure failures are worth a second attempt; a job that failed on its own is not.
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
        batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.CANNOT_PULL_CONTAINER),
        batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.NON_ZERO_EXIT_CODE),
      ],
      propagateTags: true,
    });

    acknowledge(this.computeEnvironment, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
        reason:
          'The AWS-maintained policy for ECS container instances: the ECS agent on the GPU instances needs ' +
          'exactly these registration/polling/ECR-pull permissions, and AWS updates it as the agent evolves.',
      },
    ]);
    if (container.executionRole !== undefined) {
      acknowledge(container.executionRole, [
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'ecr:GetAuthorizationToken has no resource-level permissions; it must be granted on "*" for the ' +
            'agent to pull the fine-tune image (pulls themselves are scoped to the asset repository).',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/batch/job:*]',
          reason:
            'Batch writes job output to the fixed log group /aws/batch/job; stream names are per job and ' +
            'created at run time, so the wildcard covers streams of that one group only.',
        },
      ]);
    }
  }
}
