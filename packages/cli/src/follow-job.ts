import type { ApiClient, JobView } from './api-client.js';
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
export async function followJob(api: ApiClient, id: string, out: Output, intervalMs = 500): Promise<JobView> {
  let lastMessage = '';
  for (;;) {
    const job = await api.json<JobView>('GET', `/v1/trainings/${encodeURIComponent(id)}`);
    const p = job.progress;
    if (p) {
      const label = `training ${p.phase ?? ''}${p.epochs ? ` epoch ${p.epoch}/${p.epochs}` : ''}`;
      if (p.fraction !== undefined) out.progress(label, Math.round(p.fraction * 100), 100);
      if (p.message && p.message !== lastMessage) {
        lastMessage = p.message;
        if (!out.json) out.info(p.message);
      }
    }
    if (job.status === 'succeeded') return job;
    if (job.status === 'failed') {
      const error = typeof job.error === 'string' ? { message: job.error } : job.error;
      throw new CliError(
        error?.code ?? 'job_failed',
        `training job ${id} failed: ${error?.message ?? 'unknown reason'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
