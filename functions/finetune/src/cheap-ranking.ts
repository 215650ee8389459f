import type { Backbone } from '@graft/core';
import type { ProgressReporter, TrainingOptions } from '@graft/jobs';
import type { Candidate } from './candidates.js';
import { type CrossValidated, crossValidate } from './cross-validate.js';
import type { Upload } from './dataset-index.js';
import { inputsAt } from './prepare-activations.js';
import type { StoredActivations } from './stored-activations.js';
import { trainOptionsFor } from './strategy-defaults.js';

/** What {@link rankCheapByCrossValidation} ranks. */
export interface CheapRankingArgs {
  /** The race's cheap candidates, in race order (heads over the stored activations). */
  cheap: Candidate[];
  backbone: Backbone;
  stored: StoredActivations & { val: NonNullable<StoredActivations['val']> };
  options?: TrainingOptions;
  labels: string[];
  toLabels: (uploads: Upload[]) => number[];
  progress: ProgressReporter;
  /** The part of the job's progress (fractions) the ranking covers. */
  span: { from: number; to: number };
}

/**
 * Cross-validates every cheap candidate over the stored training and validation activations together and picks
 * the finalist that goes on to the race: the highest cross-validated accuracy (a tie goes to the advisor's pick,
 * then to the earlier candidate). Used when the validation split is too small to rank them on.
 *
 * @example
 * ```ts
 * const { scores, finalist } = await rankCheapByCrossValidation({ cheap, backbone, stored, labels, toLabels,
 *   progress, span: { from: 0.3, to: 0.6 } });
 * ```
 */
export async function rankCheapByCrossValidation(
  args: CheapRankingArgs,
): Promise<{ scores: Map<Candidate, CrossValidated>; finalist: Candidate }> {
  const { cheap, backbone, stored, options, labels, toLabels, progress, span } = args;
  const scores = new Map<Candidate, CrossValidated>();
  const trainLabels = toLabels(stored.train.uploads);
  const valLabels = toLabels(stored.val.uploads);
  for (const [i, candidate] of cheap.entries()) {
    const prepared = inputsAt({ decision: candidate.decision, backbone, stored });
    try {
      const label = `cross-validating ${i + 1}/${cheap.length} ${candidate.name}`;
      progress.set({ phase: 'train', fraction: at(span, i, 0, cheap.length), message: label });
      const score = await crossValidate({
        prepared,
        trainLabels,
        valLabels,
        classNames: labels,
        backbone,
        options: trainOptionsFor(candidate.decision, options),
        onFold: (done, folds) =>
          progress.set({
            phase: 'train',
            fraction: at(span, i, done / folds, cheap.length),
            message: `${label}: fold ${done}/${folds}`,
          }),
      });
      scores.set(candidate, score);
    } finally {
      prepared.dispose();
    }
  }
  let finalist = cheap[0]!;
  for (const candidate of cheap.slice(1)) {
    const a = scores.get(candidate)!.accuracy;
    const b = scores.get(finalist)!.accuracy;
    if (a > b || (a === b && candidate.advised && !finalist.advised)) finalist = candidate;
  }
  return { scores, finalist };
}

function at(span: { from: number; to: number }, i: number, within: number, n: number): number {
  return span.from + ((span.to - span.from) * (i + within)) / Math.max(1, n);
}
