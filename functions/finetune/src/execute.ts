import { loadBackbone } from '@graft/core';
import { createExtractDeps } from '@graft/extraction';
import type { ProgressReporter, TrainingResult, TrainingSpec } from '@graft/jobs';
import type { BlobStore } from '@graft/storage';
import { indexDataset } from './dataset-index.js';
import { decideStrategy } from './decide.js';
import { JobError } from './errors.js';
import { evaluateSplits } from './evaluate-splits.js';
import { prepareActivations } from './prepare-activations.js';
import { prepareImages } from './prepare-images.js';
import { publishTrained } from './publish.js';
import { weightScope } from './scopes.js';
import { bySplit, countsBySplit, labelIndexer } from './splits.js';
import { applyRequestedOptions, trainOptionsFor } from './strategy-defaults.js';
import { trainWithProgress } from './train-with-progress.js';

/** What {@link execute} runs. */
export interface ExecuteArgs {
  spec: TrainingSpec;
  store: BlobStore;
  progress: ProgressReporter;
}

/**
 * Runs a training spec end to end: indexes the data set, resolves the strategy (the advisor for `auto`),
 * prepares what the strategy trains on, trains, evaluates and publishes a model version; reports progress on
 * the way. Frees every weight, tensor and extractor it created, whatever happens.
 *
 * @example
 * ```ts
 * const result = await execute({ spec: record.spec, store, progress });
 * ```
 */
export async function execute({ spec, store, progress }: ExecuteArgs): Promise<TrainingResult> {
  const index = await indexDataset(store, spec.dataset);
  if (index.labels.length < 2)
    throw new JobError(
      'too_few_labels',
      `data set '${spec.dataset}' needs at least 2 labels, found ${index.labels.length}`,
    );
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: index.config.inputSize });
  const extractDeps = createExtractDeps(store);
  // A job process may run many jobs: free every weight it created (shared layers once).
  const weights = weightScope(backbone.model);
  try {
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
    });
    const decision = applyRequestedOptions(decided, spec.options);
    progress.set({ phase: 'advise', fraction: 0.05, message: decision.explanation });

    const splits = bySplit(index.uploads);
    if (splits.train.length === 0)
      throw new JobError('no_training_images', `data set '${spec.dataset}' has no training images`);
    const options = trainOptionsFor(decision, spec.options);
    const toLabels = labelIndexer(index.labels);
    const overActivations = decision.strategy === 'feature-extraction' || decision.strategy === 'freeze-k';
    const prepare = overActivations ? prepareActivations : prepareImages;
    const prepared = await prepare({ decision, backbone, index, splits, extractDeps, progress });
    try {
      const input = { ...prepared.input, classNames: index.labels, labels: toLabels(prepared.train.uploads) };
      const val = prepared.val ? { x: prepared.val.x, labels: toLabels(prepared.val.uploads) } : undefined;
      const result = await trainWithProgress(input, { ...options, validation: val ?? 0.1 }, progress);
      weights.add(result.model, result.head, result.inference);
      progress.set({ phase: 'evaluate', fraction: 0.92, message: 'evaluating on the test split' });
      const evaluation = evaluateSplits({ model: result.model, prepared, toLabels, labels: index.labels });
      progress.set({ phase: 'publish', fraction: 0.96, message: 'publishing the model version' });
      const version = await publishTrained({
        store,
        spec,
        backbone,
        index,
        decision,
        prepared,
        result,
        evaluation,
      });
      return {
        model: spec.model,
        version,
        strategy: decision.strategy,
        ...(decision.scenario ? { scenario: decision.scenario } : {}),
        explanation: decision.explanation,
        ...(prepared.cut ? { cut: prepared.cut } : {}),
        metrics: evaluation.summary,
        counts: countsBySplit(index),
        trainSeconds: result.seconds,
      };
    } finally {
      prepared.dispose();
    }
  } finally {
    await extractDeps.extractors.dispose?.();
    weights.dispose();
  }
}
