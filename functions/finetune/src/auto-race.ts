import type { Backbone } from '@graft/core';
import type { ProcessDeps } from '@graft/extraction';
import {
  DEFAULT_BUDGET_SECONDS,
  type ProgressReporter,
  type RaceEntry,
  type TrainingOptions,
} from '@graft/jobs';
import { type Candidate, raceCandidates } from './candidates.js';
import { rankCheapByCrossValidation } from './cheap-ranking.js';
import { estimateTrainingSeconds } from './cost-estimate.js';
import { shouldCrossValidate } from './cross-validate.js';
import type { DatasetIndex, Upload } from './dataset-index.js';
import type { Decision } from './decide.js';
import { inputsAt } from './prepare-activations.js';
import { prepareImages } from './prepare-images.js';
import { type Attempt, raceExplanation, runRace, type Trained } from './race.js';
import type { WeightScope } from './scopes.js';
import type { Splits } from './splits.js';
import { storedActivations } from './stored-activations.js';
import { trainOptionsFor } from './strategy-defaults.js';
import { trainPrepared } from './trained-candidate.js';

/** What {@link raceAuto} races with. */
export interface RaceAutoArgs {
  /** The advisor's decision (its pick joins the race). */
  decision: Decision;
  backbone: Backbone;
  /** Loads another copy of the backbone (expensive candidates retrain its layers in place). */
  loadBackbone: () => Promise<Backbone>;
  index: DatasetIndex;
  splits: Splits;
  extractDeps: ProcessDeps;
  options?: TrainingOptions;
  toLabels: (uploads: Upload[]) => number[];
  progress: ProgressReporter;
  weights: WeightScope;
}

/**
 * `auto` checks its pick: trains the cheap candidates over the stored activations (new heads at the candidate
 * cuts, feature extraction, and the advisor's pick), then the expensive ones — the advisor's pick when it retrains
 * conv layers, and the strategies that may beat it in its scenario — while the budget (`options.budgetSeconds`)
 * allows: one that trains every layer starts only when its estimated time fits in what is left, and every
 * expensive one stops at the budget's end, then keeps the best on the validation split. When that split is too
 * small to rank on ({@link shouldCrossValidate}), the cheap candidates are first cross-validated over the training
 * and validation images together, and only the best of them races on. The winner's decision carries
 * the advisor's explanation followed by the race. Its prepared inputs (and the stored activations they may be)
 * are freed by its `prepared.dispose()`.
 *
 * @example
 * ```ts
 * const { winner, entries } = await raceAuto({ decision, backbone, loadBackbone, index, splits, extractDeps,
 *   toLabels, progress, weights });
 * ```
 */
export async function raceAuto(args: RaceAutoArgs): Promise<{ winner: Trained; entries: RaceEntry[] }> {
  const { decision, backbone, index, splits, extractDeps, options, toLabels, progress, weights } = args;
  const stored = await storedActivations({ index, splits, extractDeps, progress });
  try {
    // Without validation images there is nothing to race on: the advisor's pick is trained alone.
    const all = raceCandidates({ backbone, storedCut: stored.cut, advised: decision });
    const candidates = stored.val ? all : all.filter((c) => c.advised);
    const cheap = candidates.filter((c) => c.cost === 'cheap');
    // A small validation split ranks the cheap heads by noise: they are cross-validated, and only the best of
    // them is trained on the training split and raced on the validation split.
    const ranking =
      stored.val &&
      cheap.length > 1 &&
      (options?.crossValidate ?? shouldCrossValidate(stored.train.uploads.length, stored.val.uploads.length))
        ? await rankCheapByCrossValidation({
            cheap,
            backbone,
            stored: { ...stored, val: stored.val },
            ...(options ? { options } : {}),
            labels: index.labels,
            toLabels,
            progress,
            span: { from: 0.3, to: 0.6 },
          })
        : undefined;
    const raceFrom = ranking ? 0.6 : 0.3;
    const budget = options?.budgetSeconds ?? DEFAULT_BUDGET_SECONDS;
    let spent = 0;
    const attempt = async (candidate: Candidate, i: number): Promise<Attempt> => {
      const n = candidates.length;
      const span = {
        from: raceFrom + ((0.9 - raceFrom) * i) / n,
        to: raceFrom + ((0.9 - raceFrom) * (i + 1)) / n,
        label: `${i + 1}/${n} ${candidate.name}`,
      };
      const common = { labels: index.labels, toLabels, progress, weights, span };
      if (candidate.cost === 'cheap') {
        const crossValidation = ranking?.scores.get(candidate);
        const validated = crossValidation ? { crossValidation } : {};
        if (ranking && candidate !== ranking.finalist)
          return {
            skipped: `cross-validated ${crossValidation!.accuracy.toFixed(3)}, below ${ranking.finalist.name} (${ranking.scores.get(ranking.finalist)!.accuracy.toFixed(3)}): not trained further`,
            ...validated,
          };
        const prepared = inputsAt({ decision: candidate.decision, backbone, stored });
        const trainOptions = trainOptionsFor(candidate.decision, options);
        try {
          return {
            trained: await trainPrepared({
              ...common,
              decision: candidate.decision,
              backbone,
              prepared,
              options: trainOptions,
            }),
            ...validated,
          };
        } catch (error) {
          prepared.dispose();
          throw error;
        }
      }
      const remaining = budget - spent;
      if (remaining <= 0) return { skipped: `over the budget of ${budget} s (options.budgetSeconds)` };
      const asked = trainOptionsFor(candidate.decision, options);
      const overActivations = candidate.decision.strategy === 'freeze-k';
      let estimatedSeconds: number | undefined;
      if (!overActivations) {
        // Training every layer: start only what can finish within the budget left.
        const started = performance.now();
        const estimate = await estimateTrainingSeconds({
          backbone,
          trainImages: splits.train.length,
          valImages: splits.val.length,
          epochs: asked.epochs ?? 1,
        });
        spent += (performance.now() - started) / 1000;
        estimatedSeconds = estimate.seconds;
        if (estimate.seconds > budget - spent)
          return {
            estimatedSeconds,
            skipped: `estimated ${Math.round(estimate.seconds)} s (${estimate.basis}), more than the ${Math.max(0, Math.round(budget - spent))} s left of the budget of ${budget} s (options.budgetSeconds)`,
          };
      }
      const trainOptions = { ...asked, timeLimitSeconds: budget - spent };
      const fresh = await args.loadBackbone();
      weights.add(fresh.model);
      const prepared = overActivations
        ? inputsAt({ decision: candidate.decision, backbone: fresh, stored })
        : await prepareImages({
            decision: candidate.decision,
            backbone: fresh,
            index,
            splits,
            extractDeps,
            progress,
          });
      try {
        const trained = await trainPrepared({
          ...common,
          decision: candidate.decision,
          backbone: fresh,
          prepared,
          options: trainOptions,
        });
        spent += trained.seconds;
        return { trained, ...(estimatedSeconds === undefined ? {} : { estimatedSeconds }) };
      } catch (error) {
        prepared.dispose();
        throw error;
      }
    };
    const { winner, entries } = await runRace({ candidates, attempt });
    const valImages = winner.prepared.val?.uploads.length ?? 0;
    const raced = stored.val
      ? raceExplanation(entries, valImages)
      : 'No validation images to check it on (fewer than 5 training images per label): trained as advised.';
    const explanation = `${decision.explanation} ${raced}`;
    const own = winner.prepared.dispose;
    return {
      winner: {
        ...winner,
        decision: {
          ...winner.decision,
          ...(decision.scenario ? { scenario: decision.scenario } : {}),
          ...(decision.advice ? { advice: decision.advice } : {}),
          explanation,
        },
        prepared: {
          ...winner.prepared,
          dispose: () => {
            own();
            stored.dispose();
          },
        },
      },
      entries,
    };
  } catch (error) {
    stored.dispose();
    throw error;
  }
}
