import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Synthesised, synthGraft } from './synth.js';

// Template-only variant (no esbuild): parameters flow through, and the isolated network stays nag-clean.
let s: Synthesised;
beforeAll(() => {
  s = synthGraft(
    {
      bucketName: 'acme-graft-data',
      gpuInstanceTypes: ['g5.xlarge'],
      spot: true,
      maxVcpus: 16,
      extractConcurrency: 3,
      modelName: 'pets',
      isolatedTraining: true,
      alarmEmail: 'ops@acme.example',
    },
    { bundle: false },
  );
}, 300_000); // one synth (esbuild bundling + asset staging); generous for a loaded 2-core CI box
afterAll(() => s?.cleanup());

describe('parameters', () => {
  it('the alarm e-mail is subscribed to the alarm topic', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@acme.example',
    });
  });

  it('bucket name, concurrency and model name reach the resources', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'acme-graft-data' });
    s.template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 3 },
    });
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ GRAFT_MODEL_NAME: 'pets' }) },
    });
  });

  it('Spot capacity with the price-capacity-optimised strategy and the given instance types', () => {
    s.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({
        Type: 'SPOT',
        AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
        InstanceTypes: ['g5.xlarge'],
        MaxvCpus: 16,
        MinvCpus: 0,
      }),
    });
  });

  it('isolated training: instances in isolated subnets behind ECR/ECS/logs interface endpoints, still no NAT', () => {
    s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const endpoints = s.template.findResources('AWS::EC2::VPCEndpoint');
    const services = Object.values(endpoints).map(
      (e) =>
        JSON.stringify((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName).match(
          /"\.([a-z0-9.-]+)"\]\]\}$/,
        )?.[1],
    );
    expect(services.sort()).toEqual(
      ['ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent', 'ecs-telemetry', 'logs', 's3'].sort(),
    );
    const ce = Object.values(s.template.findResources('AWS::Batch::ComputeEnvironment'))[0] as {
      Properties: { ComputeResources: { Subnets: { Ref: string }[] } };
    };
    for (const subnet of ce.Properties.ComputeResources.Subnets) expect(subnet.Ref).toMatch(/isolatedSubnet/);
  });

  it('stays free of cdk-nag findings', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
