import type { TrainingJob } from '@graft/jobs';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';

/**
 * `graft status [job]` — a training job's status and progress, or the API's readiness; `--cancel ID` cancels a
 * queued or running job, `--rerun ID` runs an interrupted, cancelled or failed one again as a new job.
 */
export const statusCommand: Command = {
  summary: "Show a training job's status and progress, or what the API is serving; cancel or rerun a job.",
  usage: 'graft status [<job id>] [--cancel <job id>] [--rerun <job id>] [--json]',
  options: { ...connectionOptions, cancel: { type: 'string' }, rerun: { type: 'string' } },
  async run({ flags, positionals, out }) {
    const cancel = typeof flags.cancel === 'string' ? flags.cancel : undefined;
    const rerun = typeof flags.rerun === 'string' ? flags.rerun : undefined;
    if (cancel !== undefined && rerun !== undefined) throw new UsageError('use one of --cancel and --rerun');
    const { api } = await connect(flags);
    if (cancel !== undefined) {
      const job = await api.json<TrainingJob>('DELETE', `/v1/trainings/${encodeURIComponent(cancel)}`);
      out.info(`training job ${job.id}: ${job.status}`);
      out.result({ ...job });
      return 0;
    }
    if (rerun !== undefined) {
      const again = await api.json<{ id: string; rerunOf: string }>(
        'POST',
        `/v1/trainings/${encodeURIComponent(rerun)}/rerun`,
      );
      out.info(`training job ${rerun} rerun as ${again.id}: follow it with graft status ${again.id}`);
      out.result(again);
      return 0;
    }
    const id = positionals[0];
    const value = id
      ? { ...(await api.json<TrainingJob>('GET', `/v1/trainings/${encodeURIComponent(id)}`)) }
      : await api.json<Record<string, unknown>>('GET', '/ready');
    out.result(value);
    return 0;
  },
};
