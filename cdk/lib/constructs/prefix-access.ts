import { type CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';

/** Which key prefixes (each ending in `/`) a principal may read and write. */
export interface PrefixAccess {
  /** Prefixes readable with `s3:GetObject` and listable with `s3:ListBucket`. */
  readonly read?: readonly string[];
  /** Prefixes writable with `s3:PutObject` (and listable, since a writer checks what exists). */
  readonly write?: readonly string[];
  /** Prefixes whose objects may be deleted with `s3:DeleteObject`. */
  readonly delete?: readonly string[];
}

function objectArns(bucket: s3.IBucket, prefixes: readonly string[]): string[] {
  return prefixes.map((p) => bucket.arnForObjects(`${p}*`));
}

/**
 * Grants least-privilege, prefix-scoped S3 access: object actions only on `<prefix>*` and
 * `s3:ListBucket` only with an `s3:prefix` condition on the same prefixes. Nothing else of the
 * bucket is reachable.
 *
 * @example
 * ```ts
 * grantPrefixes(bucket, fn.role!, { read: ['datasets/'], write: ['features/', 'rejects/'] });
 * ```
 */
export function grantPrefixes(bucket: s3.IBucket, grantee: iam.IGrantable, access: PrefixAccess): void {
  const read = [...(access.read ?? [])];
  const write = [...(access.write ?? [])];
  const del = [...(access.delete ?? [])];
  for (const p of [...read, ...write, ...del]) {
    if (!p.endsWith('/') || p.startsWith('/') || p.includes('*')) {
      throw new Error(`grantPrefixes: "${p}" must be a literal prefix ending in "/"`);
    }
  }
  const statements: iam.PolicyStatement[] = [];
  if (read.length > 0) {
    statements.push(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objectArns(bucket, read) }),
    );
  }
  if (write.length > 0) {
    statements.push(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: objectArns(bucket, write) }),
    );
  }
  if (del.length > 0) {
    statements.push(
      new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: objectArns(bucket, del) }),
    );
  }
  const listable = [...new Set([...read, ...write])];
  if (listable.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': listable.map((p) => `${p}*`) } },
      }),
    );
  }
  for (const statement of statements) grantee.grantPrincipal.addToPrincipalPolicy(statement);

  // cdk-nag flags every `<prefix>*` object resource as a wildcard: acknowledge exactly those findings.
  const principal = grantee.grantPrincipal;
  const owner = Construct.isConstruct(principal)
    ? principal
    : Construct.isConstruct(grantee)
      ? grantee
      : undefined;
  const cfnBucket = bucket.node.defaultChild as CfnElement | undefined;
  if (owner === undefined || cfnBucket === undefined) return;
  const bucketArn = `<${Stack.of(bucket).getLogicalId(cfnBucket)}.Arn>`;
  acknowledge(
    owner,
    [...new Set([...read, ...write, ...del])].map((p) => ({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${p}*]`,
      reason:
        `Object actions are limited to keys under "${p}", the narrowest scope S3 offers for objects ` +
        'whose names (data set, hash, job id) are only known at run time.',
    })),
  );
}
