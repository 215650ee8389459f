import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One acknowledged cdk-nag finding: the rule (or `Rule[finding]`) id and why it does not apply. */
export interface NagAcknowledgement {
  /** `AwsSolutions-S1`, or a single finding such as `AwsSolutions-IAM5[Resource::arn:...:models/*]`. */
  readonly id: string;
  /** Why the finding is acceptable here; at least one full sentence. */
  readonly reason: string;
}

/**
 * Acknowledges cdk-nag findings on `scope` and its children (cdk-nag v3 uses CDK's
 * `Validations.of(scope).acknowledge`). Refuses a reason shorter than 20 characters so every
 * suppression carries a real, written justification.
 *
 * @example
 * ```ts
 * acknowledge(logBucket, [{ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself.' }]);
 * ```
 */
export function acknowledge(scope: IConstruct, rules: readonly NagAcknowledgement[]): void {
  for (const rule of rules) {
    if (rule.reason.trim().length < 20) {
      throw new Error(`cdk-nag acknowledgement of ${rule.id} needs a written reason (got "${rule.reason}")`);
    }
    Validations.of(scope).acknowledge({ id: rule.id, reason: rule.reason });
  }
}
