import { type CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { GraftConfigError } from '../errors.js';
import { acknowledge } from '../nag.js';

/** Which key prefixes (each ending in `/`) a principal may read and write. */
export interface PrefixAccess {
  /** Prefixes readable with `s3:GetObject`. */
  readonly read?: readonly string[];
  /** Prefixes writable with `s3:PutObject`. */
  readonly write?: readonly string[];
  /** Prefixes whose objects may be deleted with `s3:DeleteObject`. */
  readonly delete?: readonly string[];
}

function objectArns(bucket: s3.IBucket, prefixes: readonly string[]): string[] {
  return prefixes.map((p) => bucket.arnForObjects(`${p}*`));
}

/**
 * Grants least-privilege, prefix-scoped S3 access: object actions only on `<prefix>*`, plus
 * `s3:ListBucket` on the bucket (needed for S3 to answer a missing key with 404 rather than 403).
 * No object outside the given prefixes can be read, written or deleted.
 *
 * @example
 * ```ts
 * grantPrefixes(bucket, fn, { read: ['datasets/'], write: ['features/', 'rejects/'] });
 * ```
 */
export function grantPrefixes(bucket: s3.IBucket, grantee: iam.IGrantable, access: PrefixAccess): void {
  const read = [...(access.read ?? [])];
  const write = [...(access.write ?? [])];
  const del = [...(access.delete ?? [])];
  for (const p of [...read, ...write, ...del]) {
    if (!p.endsWith('/') || p.startsWith('/') || p.includes('*')) {
      throw new GraftConfigError('prefix', `"${p}" must be a literal key prefix ending in "/"`);
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
  if (read.length + write.length > 0) {
    // Deliberately not narrowed with an s3:prefix condition: S3 answers GET/HEAD of a missing key with
    // 404 NoSuchKey only when the caller may s3:ListBucket for that request, and a GET carries no
    // s3:prefix, so a prefix-conditioned grant turns every "not found" into 403 AccessDenied (and the
    // storage adapter's NotFoundError into a 500). Listing reveals key names, never object content.
    statements.push(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
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
