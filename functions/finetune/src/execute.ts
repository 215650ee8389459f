import { BackboneRegistry, BUNDLED_BACKBONE_ID, loadBackbone } from '@graft/backbones';
import type { Backbone } from '@graft/core';
import { createExtractDeps } from '@graft/extraction';
import {
  epochBudgetProblem,
  type ProgressReporter,
  type TrainingResult,
  type TrainingSpec,
  trainingSpecProblem,
} from '@graft/jobs';
import type { BlobStore } from '@graft/storage';
import { raceAuto } from './auto-race.js';
import { checkAndPublish } from './check-and-publish.js';
import { type DatasetIndex, indexDataset } from './dataset-index.js';
import { decideStrategy } from './decide.js';
import { developSource } from './develop.js';
import { JobError } from './errors.js';
import { prepareActivations } from './prepare-activations.js';
import { prepareImages } from './prepare-images.js';
import type { Trained } from './race.js';
import { type WeightScope, weightScope } from './scopes.js';
import { bySplit, labelIndexer, type Splits } from './splits.js';
import { applyRequestedOptions, trainOptionsFor } from './strategy-defaults.js';
import { trainPrepared } from './trained-candidate.js';
import { withValidation } from './validation.js';

/** What {@link execute} runs. */
export interface ExecuteArgs {
  spec: TrainingSpec;
  store: BlobStore;
  progress: ProgressReporter;
  /** Called just before the first write of the model version (the job's commit point: it may refuse by throwing). */
  beforePublish?: () => Promise<void>;
}

/**
 * Runs a training spec end to end: indexes the data set, resolves the strategy (for `auto` the advisor proposes
 * and a race on the validation split decides), trains, checks the model learnt (clearly better than chance on the
 * validation split, else `no_learning` and nothing is published), evaluates, publishes a model version and makes it
 * serve only when it is not worse than the serving one (or `promote: 'always'`). Frees every weight, tensor and
 * extractor it created, whatever happens.
 *
 * @example
 * ```ts
 * const result = await execute({ spec: record.spec, store, progress });
 * ```
 */
export async function execute({
  spec,
  store,
  progress,
  beforePublish,
}: ExecuteArgs): Promise<TrainingResult> {
  const problem = trainingSpecProblem(spec);
  if (problem) throw new JobError('invalid_options', problem);
  const indexed = await indexDataset(store, spec.dataset);
  if (indexed.labels.length < 2)
    throw new JobError(
      'too_few_labels',
      `data set '${spec.dataset}' needs at least 2 labels, found ${indexed.labels.length}`,
    );
  const stored = bySplit(indexed.uploads);
  const { splits } = withValidation(stored);
  if (splits.train.length === 0)
    throw new JobError('no_training_images', `data set '${spec.dataset}' has no training images`);
  // Counted before validation images are carved from them, as the API counts them (countTrainingImages).
  const overBudget = epochBudgetProblem(spec.options?.epochs ?? 1, stored.train.length);
  if (overBudget) throw new JobError('over_budget', overBudget);
  const index: DatasetIndex = { ...indexed, uploads: [...splits.train, ...splits.val, ...splits.test] };
  const toLabels = labelIndexer(index.labels);
  const extractDeps = createExtractDeps(store);
  // A job process may run many jobs: free every weight it created (shared layers once).
  const weights = weightScope();
  try {
    if (spec.strategy === 'develop') {
      const developed = await developSource({
        options: spec.options,
        index,
        splits,
        extractDeps,
        progress,
        toLabels,
        weights,
      });
      try {
        return await checkAndPublish({
          spec,
          store,
          index,
          winner: developed.trained,
          toLabels,
          progress,
          report: { sourceStats: developed.sourceStats },
          warnings: developed.warnings,
          beforePublish,
        });
      } finally {
        developed.trained.prepared.dispose();
      }
    }
    // The data set's backbone, registered in the bucket (or the bundled one); a copy of the job's own: training
    // may update its layers in place.
    const registry = new BackboneRegistry(store);
    // Only a developed backbone carries source statistics (the bundled one's are its BatchNorm statistics).
    const manifest =
      index.config.backbone === BUNDLED_BACKBONE_ID ? undefined : await registry.get(index.config.backbone);
    const load = () =>
      loadBackbone(registry, index.config.backbone, { inputSize: index.config.inputSize, owned: true });
    const backbone = await load();
    weights.add(backbone.model);
    progress.set({
      phase: 'advise',
      fraction: 0.02,
      message: 'measuring data set size and similarity to the source data',
    });
    const decided = await decideStrategy({
      requested: spec.strategy,
      backbone,
      uploads: index.uploads,
      labels: index.labels,
      read: (key) => store.get(key),
      ...(manifest?.sourceStats ? { sourceStats: manifest.sourceStats } : {}),
    });
    const decision = applyRequestedOptions(decided, spec.options);
    progress.set({ phase: 'advise', fraction: 0.05, message: decision.explanation });
    const common = { backbone, index, splits, extractDeps, progress, toLabels, weights };
    const { winner, entries } =
      spec.strategy === 'auto'
        ? await raceAuto({ ...common, decision, loadBackbone: load, options: spec.options })
        : { winner: await trainAsked({ ...common, decision, spec }), entries: undefined };
    try {
      const provenance = manifest?.provenance ?? { kind: 'bundled' };
      return await checkAndPublish({
        spec,
        store,
        index,
        winner,
        entries,
        toLabels,
        progress,
        report: { backboneProvenance: provenance },
        beforePublish,
      });
    } finally {
      winner.prepared.dispose();
    }
  } finally {
    await extractDeps.extractors.dispose?.();
    weights.dispose();
  }
}

/** An explicit strategy: prepares what it trains on and trains it once. */
async function trainAsked(args: {
  spec: TrainingSpec;
  decision: Trained['decision'];
  backbone: Backbone;
  index: DatasetIndex;
  splits: Splits;
  extractDeps: ReturnType<typeof createExtractDeps>;
  progress: ProgressReporter;
  toLabels: (uploads: DatasetIndex['uploads']) => number[];
  weights: WeightScope;
}): Promise<Trained> {
  const { spec, decision, backbone, index, splits, extractDeps, progress, toLabels, weights } = args;
  const overActivations = decision.strategy === 'feature-extraction' || decision.strategy === 'freeze-k';
  const prepare = overActivations ? prepareActivations : prepareImages;
  const prepared = await prepare({ decision, backbone, index, splits, extractDeps, progress });
  try {
    const options = trainOptionsFor(decision, spec.options);
    return await trainPrepared({
      decision,
      backbone,
      prepared,
      options,
      labels: index.labels,
      toLabels,
      progress,
      weights,
    });
  } catch (error) {
    prepared.dispose();
    throw error;
  }
}
