import { type ProgressEvent, type TrainInput, type TrainOptions, type TrainResult, train } from '@graft/core';
import type { JobProgress, ProgressReporter } from '@graft/jobs';

/**
 * Trains and reports it as the job's `train` phase (fraction 0.3 → 0.9): every fifth batch, and every epoch
 * with its loss and validation accuracy.
 *
 * @example
 * ```ts
 * const result = await trainWithProgress(input, { ...options, validation: 0.1 }, progress);
 * ```
 */
export async function trainWithProgress(
  input: TrainInput,
  options: TrainOptions,
  progress: ProgressReporter,
  span: TrainSpan = { from: 0.3, to: 0.9 },
): Promise<TrainResult> {
  progress.set({
    phase: 'train',
    fraction: span.from,
    message: `${span.label ? `${span.label}: ` : ''}training ${input.strategy} on ${input.labels.length} images`,
  });
  return train(input, options, (e) => {
    if (e.type === 'batch' && e.batch % 5 !== 0) return;
    progress.set(trainProgress(e, span));
  });
}

/** The part of the job's progress (fractions) one training covers, and what to call it (a race candidate). */
export interface TrainSpan {
  from: number;
  to: number;
  label?: string;
}

function trainProgress(e: ProgressEvent, span: TrainSpan): JobProgress {
  const done =
    (e.epoch + (e.type === 'epoch' ? 1 : e.batch / Math.max(1, e.batches))) / Math.max(1, e.epochs);
  const prefix = span.label ? `${span.label}: ` : '';
  return {
    phase: 'train',
    fraction: span.from + (span.to - span.from) * Math.min(1, done),
    epoch: e.epoch + 1,
    epochs: e.epochs,
    loss: e.loss,
    ...(e.valAcc !== undefined ? { valAcc: e.valAcc } : {}),
    message:
      e.type === 'epoch'
        ? `${prefix}epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.toFixed(3)}${e.valAcc !== undefined ? `, val acc ${e.valAcc.toFixed(3)}` : ''}`
        : undefined,
  };
}
