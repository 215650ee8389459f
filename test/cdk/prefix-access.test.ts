import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { grantPrefixes } from '../../cdk/lib/constructs/prefix-access.js';
import { GraftConfigError } from '../../cdk/lib/errors.js';

function setup() {
  const stack = new Stack(new App(), 'T');
  const bucket = new s3.Bucket(stack, 'Data');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, bucket, role };
}

const objects = (bucketId: string, ...prefixes: string[]) =>
  prefixes.map((p) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${p}*`]] }));

describe('grantPrefixes', () => {
  it('scopes object actions to the prefixes and lists the bucket without touching other keys', () => {
    const { stack, bucket, role } = setup();
    grantPrefixes(bucket, role, { read: ['models/', 'datasets/'], write: ['jobs/'], delete: ['jobs/'] });
    const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: objects(bucketId, 'models/', 'datasets/') },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: objects(bucketId, 'jobs/')[0] },
      { Action: 's3:DeleteObject', Effect: 'Allow', Resource: objects(bucketId, 'jobs/')[0] },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
    ]);
  });

  it('acknowledges exactly the per-prefix wildcard findings, so cdk-nag has nothing else to say about the role', () => {
    const { stack, bucket, role } = setup();
    grantPrefixes(bucket, role, { read: ['models/'] });
    const report = new AwsSolutionsChecks().validateScope(stack);
    const roleFindings = report.violations.filter((v) =>
      v.violatingResources.some((r) => (r.constructPath ?? '').startsWith('T/Role')),
    );
    expect(roleFindings).toEqual([]);
  });

  it('an unacknowledged wildcard is still reported (the acknowledgement is not a blanket one)', () => {
    const { stack, bucket, role } = setup();
    grantPrefixes(bucket, role, { read: ['models/'] });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }),
    );
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContainEqual(
      expect.stringMatching(/^AwsSolutions-IAM5\[.*\/\*\]$/),
    );
  });

  it.each(['models', '/models/', 'mod*/', ''])('rejects %j with a typed error', (prefix) => {
    const { bucket, role } = setup();
    expect(() => grantPrefixes(bucket, role, { read: [prefix] })).toThrow(GraftConfigError);
  });
});
