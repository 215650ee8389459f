import type { PromotePolicy, TrainingOptions } from '@graft/jobs';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';
import { intFlag, nameFlag } from '../flags.js';
import { followJob } from '../follow-job.js';
import { printTrainingSummary } from '../training-summary.js';

/** `graft train --dataset <d> --model <m>` — submits a training job through the API and follows it. */
export const trainCommand: Command = {
  summary: 'Submit a training job for a data set and follow its progress.',
  usage:
    'graft train --dataset <name> --model <name> [--strategy auto|feature-extraction|freeze-k|fine-tune|scratch] [--cut LAYER] [--upper retrain|replace] [--epochs N] [--budget-seconds N] [--cross-validate always|never] [--architecture mnist-cnn|mobilenet_v2] [--promote if-better|always] [--monitor loss|accuracy] [--reduce-lr-patience N] [--no-follow] [--json]',
  options: {
    ...connectionOptions,
    dataset: { type: 'string' },
    model: { type: 'string' },
    strategy: { type: 'string' },
    epochs: { type: 'string' },
    cut: { type: 'string' },
    upper: { type: 'string' },
    'budget-seconds': { type: 'string' },
    'cross-validate': { type: 'string' },
    architecture: { type: 'string' },
    promote: { type: 'string' },
    monitor: { type: 'string' },
    'reduce-lr-patience': { type: 'string' },
    'no-follow': { type: 'boolean' },
  },
  async run({ flags, out }) {
    if (!flags.dataset || !flags.model) throw new UsageError('--dataset and --model are required');
    const dataset = nameFlag(flags, 'dataset');
    const model = nameFlag(flags, 'model');
    const { api } = await connect(flags);
    // Values are checked by the API (strategy, cut, upper, promote): one set of rules, one error.
    const options: TrainingOptions = {};
    if (flags.epochs !== undefined) options.epochs = Number(flags.epochs);
    if (flags['budget-seconds'] !== undefined) options.budgetSeconds = Number(flags['budget-seconds']);
    const crossValidate = flags['cross-validate'];
    if (crossValidate !== undefined) {
      if (crossValidate !== 'always' && crossValidate !== 'never')
        throw new UsageError(`--cross-validate takes always or never, got '${crossValidate}'`);
      options.crossValidate = crossValidate === 'always';
    }
    if (typeof flags.cut === 'string') options.cut = flags.cut;
    if (typeof flags.upper === 'string') options.upper = flags.upper as TrainingOptions['upper'];
    if (typeof flags.architecture === 'string')
      options.architecture = flags.architecture as TrainingOptions['architecture'];
    // The epoch kept (and stopped at): lowest validation loss (default) or best validation accuracy; the strategy
    // keeps its own patience.
    if (typeof flags.monitor === 'string')
      options.earlyStopping = { monitor: flags.monitor as 'loss' | 'accuracy' };
    if (flags['reduce-lr-patience'] !== undefined)
      options.reduceLearningRate = { patience: intFlag(flags, 'reduce-lr-patience', 0) };
    const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', {
      dataset,
      model,
      strategy: flags.strategy ?? 'auto',
      options,
      ...(typeof flags.promote === 'string' ? { promote: flags.promote as PromotePolicy } : {}),
    });
    if (flags['no-follow']) {
      out.result({ id });
      return 0;
    }
    const job = await followJob(api, id, out);
    const result = job.result;
    if (result) printTrainingSummary(result, api, out);
    out.result({
      id,
      status: job.status,
      ...(result ? { ...result, accuracy: result.metrics.accuracy } : {}),
    });
    return 0;
  },
};
