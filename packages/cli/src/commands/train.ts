import type { TrainingOptions } from '@graft/jobs';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';
import { followJob } from '../follow-job.js';

/** `graft train --dataset <d> --model <m>` — submits a training job through the API and follows it. */
export const trainCommand: Command = {
  summary: 'Submit a training job for a data set and follow its progress.',
  usage:
    'graft train --dataset <name> --model <name> [--strategy auto|feature-extraction|freeze-k|fine-tune|scratch] [--epochs N] [--no-follow] [--json]',
  options: {
    ...connectionOptions,
    dataset: { type: 'string' },
    model: { type: 'string' },
    strategy: { type: 'string' },
    epochs: { type: 'string' },
    'no-follow': { type: 'boolean' },
  },
  async run({ flags, out }) {
    if (!flags.dataset || !flags.model) throw new UsageError('--dataset and --model are required');
    const { api } = await connect(flags);
    const options: TrainingOptions = {};
    if (flags.epochs) options.epochs = Number(flags.epochs);
    const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', {
      dataset: flags.dataset,
      model: flags.model,
      strategy: flags.strategy ?? 'auto', // checked by the API (one of TRAINING_STRATEGIES)
      options,
    });
    if (flags['no-follow']) {
      out.result({ id });
      return 0;
    }
    const job = await followJob(api, id, out);
    out.result({ id, status: job.status, ...(job.result ?? {}) });
    return 0;
  },
};
