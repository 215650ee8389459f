import type { TrainingJob } from '@graft/jobs';
import type { ApiClient } from './api-client.js';
import { CliError } from './errors.js';
import type { Output } from './output.js';

/**
 * Polls a training job until it ends, showing its progress; resolves with the final record, rejects when the
 * job failed.
 *
 * @example
 * ```ts
 * const job = await followJob(api, id, out);
 * console.log(job.result);
 * ```
 */
export async function followJob(
  api: ApiClient,
  id: string,
  out: Output,
  intervalMs = 500,
): Promise<TrainingJob> {
  let lastMessage = '';
  for (;;) {
    const job = await api.json<TrainingJob>('GET', `/v1/trainings/${encodeURIComponent(id)}`);
    const p = job.progress;
    if (p) {
      const label = `training ${p.phase}${p.epochs ? ` epoch ${p.epoch}/${p.epochs}` : ''}`;
      if (p.fraction !== undefined) out.progress(label, Math.round(p.fraction * 100), 100);
      if (p.message && p.message !== lastMessage) {
        lastMessage = p.message;
        if (!out.json) out.info(p.message);
      }
    }
    if (job.status === 'succeeded') return job;
    if (job.status !== 'queued' && job.status !== 'running') {
      throw new CliError(
        job.error?.code ?? `job_${job.status}`,
        `training job ${id} ${job.status}: ${job.error?.message ?? 'unknown reason'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
