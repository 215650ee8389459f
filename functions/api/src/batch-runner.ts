/**
 * The cloud {@link JobRunner}: one AWS Batch `SubmitJob` per training job. The Batch client library is imported by
 * the first submission, not with the API (a serving Lambda may never submit one).
 */
import type { BatchClient } from '@aws-sdk/client-batch';
import type { JobRunner } from './ports.js';

/**
 * Submits training jobs to AWS Batch. The job definition's container runs the finetune entrypoint, which
 * reads the job id from `GRAFT_JOB_ID` (also passed as the Batch parameter `jobId`, for a
 * `command: ["--job", "Ref::jobId"]` definition) and everything else from `jobs/<id>.json`.
 *
 * @example
 * ```ts
 * const runner = new AwsBatchJobRunner(new BatchClient({}), 'graft-gpu-queue', 'graft-finetune');
 * await runner.submit('01J0ABCDEF');
 * // or made on the first submission:
 * new AwsBatchJobRunner(async () => new (await import('@aws-sdk/client-batch')).BatchClient({}), queue, definition);
 * ```
 */
export class AwsBatchJobRunner implements JobRunner {
  /** The Batch job id of every submission made by this runner, by Graft job id. */
  readonly batchJobIds = new Map<string, string>();

  private client: BatchClient | (() => Promise<BatchClient>);

  constructor(
    client: BatchClient | (() => Promise<BatchClient>),
    private readonly jobQueue: string,
    private readonly jobDefinition: string,
  ) {
    this.client = client;
  }

  private async batch() {
    if (typeof this.client === 'function') this.client = await this.client();
    return { client: this.client, ...(await import('@aws-sdk/client-batch')) };
  }

  async submit(jobId: string): Promise<{ runnerJobId?: string }> {
    const { client, SubmitJobCommand } = await this.batch();
    const out = await client.send(
      new SubmitJobCommand({
        jobName: batchJobName(jobId),
        jobQueue: this.jobQueue,
        jobDefinition: this.jobDefinition,
        parameters: { jobId },
        containerOverrides: { environment: [{ name: 'GRAFT_JOB_ID', value: jobId }] },
        tags: { 'graft:job': jobId },
        propagateTags: true,
      }),
    );
    if (out.jobId) this.batchJobIds.set(jobId, out.jobId);
    return out.jobId ? { runnerJobId: out.jobId } : {};
  }

  /**
   * Terminates the Batch job of a cancelled Graft job: a queued one never starts, a running one is stopped (its
   * record already says `cancelled`, and the job stops itself at its next progress report even before Batch gets
   * to it). The Batch job id comes from the record (`runnerJobId`, stored at submission), so any API instance
   * can cancel what another submitted.
   */
  async cancel(jobId: string, runnerJobId?: string): Promise<void> {
    const batchJobId = runnerJobId ?? this.batchJobIds.get(jobId);
    if (!batchJobId) return;
    const { client, TerminateJobCommand } = await this.batch();
    await client.send(new TerminateJobCommand({ jobId: batchJobId, reason: `Graft job ${jobId} cancelled` }));
  }
}

/**
 * A valid Batch job name (letters, digits, `-`, `_`; at most 128) for a Graft job id.
 *
 * @example
 * ```ts
 * batchJobName('01J0/ABC'); // 'graft-01J0_ABC'
 * ```
 */
export function batchJobName(jobId: string): string {
  return `graft-${jobId}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
}
