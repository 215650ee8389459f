import {
  type Backbone,
  backboneFromModel,
  createBundle,
  disposeWeights,
  evaluate,
  fingerprintDataset,
  fitTemperature,
  loadBackbone,
  splitBackbone,
  type TrainInput,
  type TrainOptions,
  type TrainResult,
  toLogits,
  train,
} from '@graft/core';
import { createExtractDeps, type ProcessDeps } from '@graft/extraction';
import { tf } from '@graft/runtime';
import { type BlobStore, JobStore, ModelRegistry, sha256 } from '@graft/storage';
import { type DatasetIndex, indexDataset, type Upload } from './dataset-index.js';
import { type Decision, decideStrategy } from './decide.js';
import { JobError } from './errors.js';
import { type Gathered, gatherActivations } from './gather.js';
import { imagesTensor } from './images.js';
import { type JobProgress, progressReporter } from './progress.js';
import { publishVersion } from './publish.js';

/** Collaborators of {@link runJob}. */
export interface JobDeps {
  store: BlobStore;
  log?(entry: Record<string, unknown>): void;
}

/** What a job stores as its result. */
export interface JobResult {
  model: string;
  version: number;
  strategy: string;
  scenario?: number;
  explanation: string;
  cut?: string;
  metrics: { accuracy: number; macroF1: number; ece: number; eceCalibrated: number; temperature: number };
  counts: Record<string, Record<string, number>>;
  trainSeconds: number;
  /** Wall-clock seconds per job phase (index, advise, features, train, evaluate, publish). */
  phaseSeconds?: Record<string, number>;
}

const DEFAULTS: Record<string, TrainOptions> = {
  'feature-extraction': {
    epochs: 40,
    learningRate: 1e-3,
    batchSize: 32,
    earlyStopping: { patience: 5 },
    head: { hidden: 128, dropout: 0.3 },
  },
  'freeze-k': {
    // Measured on the demo (MNIST, 100/class, cut block_16_project_BN): lr 1e-3 with pretrained layers at 0.1×
    // reached 0.79 held-out; lr 3e-3 with the retrained layers at full rate 0.88.
    epochs: 8,
    learningRate: 3e-3,
    batchSize: 32,
    earlyStopping: { patience: 3 },
    pretrainedLrScale: 1,
  },
  'fine-tune': {
    epochs: 10,
    learningRate: 1e-3,
    batchSize: 32,
    earlyStopping: { patience: 3 },
    pretrainedLrScale: 0.1,
  },
  scratch: { epochs: 20, learningRate: 1e-3, batchSize: 32, earlyStopping: { patience: 4 } },
};

/**
 * freeze-k with `upper: 'replace'` trains only a new head on pooled, standardised activations: cheap epochs, so
 * more of them. Measured on the demo (MNIST, 100/class, `block_13_expand_relu`): best validation epoch ~20,
 * 0.95 held-out, ~7 s.
 */
const REPLACE_UPPER_DEFAULTS: TrainOptions = {
  epochs: 60,
  learningRate: 1e-3,
  batchSize: 32,
  earlyStopping: { patience: 8 },
  head: { hidden: 0, dropout: 0 },
};

/**
 * Runs one training job from its record in `jobs/<id>.json`: indexes the data set, gathers the stored trunk
 * activations (extracting any the fan-out has not), resolves `auto` through the advisor, trains, evaluates on
 * the test split (with temperature scaling fitted on the validation split), publishes an immutable model
 * version and records progress and the result. A failure marks the job failed with its reason and leaves the
 * serving version untouched.
 *
 * @example
 * ```ts
 * const record = await runJob('01J…', { store });
 * console.log(record.status, record.result?.version);
 * ```
 */
export async function runJob(jobId: string, deps: JobDeps) {
  const jobs = new JobStore(deps.store);
  const record = await jobs.get<JobSpec>(jobId);
  const progress = progressReporter((p: JobProgress) => jobs.update(jobId, { progress: p }));
  await jobs.update(jobId, { status: 'running', progress: { phase: 'index', fraction: 0 } });
  try {
    const executed = await execute(record.spec, deps.store, progress);
    const result: JobResult = { ...executed, phaseSeconds: progress.phaseSeconds() };
    await progress.flush();
    return await jobs.update(jobId, {
      status: 'succeeded',
      progress: { phase: 'done', fraction: 1, message: `published ${result.model} v${result.version}` },
      result,
    });
  } catch (error) {
    await progress.flush().catch(() => {});
    const code = (error as { code?: string }).code ?? 'job_failed';
    const message = error instanceof Error ? error.message : String(error);
    deps.log?.({ level: 'error', msg: 'job failed', jobId, code, message });
    return await jobs.update(jobId, {
      status: 'failed',
      error: { code, message },
    });
  }
}

interface JobSpec {
  dataset: string;
  model: string;
  strategy: string;
  options?: TrainOptions & { cut?: string; upper?: 'retrain' | 'replace' };
}

/** What freeze-k does with the layers above its cut: as asked (`options.upper`), else as advised. */
function upperOf(spec: JobSpec, decision: Decision): 'retrain' | 'replace' {
  return spec.options?.upper ?? (spec.options?.cut ? undefined : decision.advice?.upper) ?? 'retrain';
}

async function execute(
  spec: JobSpec,
  store: BlobStore,
  progress: ReturnType<typeof progressReporter>,
): Promise<JobResult> {
  const index = await indexDataset(store, spec.dataset);
  if (index.labels.length < 2)
    throw new JobError(
      'too_few_labels',
      `data set '${spec.dataset}' needs at least 2 labels, found ${index.labels.length}`,
    );
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: index.config.inputSize });
  const extractDeps = createExtractDeps(store);
  const models: (tf.LayersModel | undefined)[] = [backbone.model];
  try {
    return await executeWith(spec, store, progress, index, backbone, extractDeps, models);
  } finally {
    // A job process may run many jobs: free every weight it created (shared layers once).
    await extractDeps.extractors.dispose?.();
    disposeWeights(models);
  }
}

async function executeWith(
  spec: JobSpec,
  store: BlobStore,
  progress: ReturnType<typeof progressReporter>,
  index: DatasetIndex,
  backbone: Backbone,
  extractDeps: ProcessDeps,
  models: (tf.LayersModel | undefined)[],
): Promise<JobResult> {
  const read = (key: string) => store.get(key);
  progress.set({
    phase: 'advise',
    fraction: 0.02,
    message: 'measuring data set size and similarity to the source data',
  });
  const decided = await decideStrategy(spec.strategy, backbone, index.uploads, index.labels, read);
  const asked: Decision = spec.options?.cut ? { ...decided, cut: spec.options.cut } : decided;
  const decision: Decision =
    asked.strategy === 'freeze-k' ? { ...asked, upper: upperOf(spec, asked) } : asked;
  progress.set({ phase: 'advise', fraction: 0.05, message: decision.explanation });

  const splits = bySplit(index.uploads);
  if (splits.train.length === 0)
    throw new JobError('no_training_images', `data set '${spec.dataset}' has no training images`);
  const defaults = decision.upper === 'replace' ? REPLACE_UPPER_DEFAULTS : DEFAULTS[decision.strategy];
  const options: TrainOptions = { ...defaults, seed: 1, ...stripCut(spec.options) };
  const labelIndex = new Map(index.labels.map((l, i) => [l, i]));
  const toLabels = (uploads: Upload[]) => uploads.map((u) => labelIndex.get(u.label)!);

  const prepared = await prepareInputs(decision, backbone, index, splits, extractDeps, progress);
  try {
    const trainLabels = toLabels(prepared.train.uploads);
    const input = { ...prepared.train, classNames: index.labels, labels: trainLabels } as TrainInput;
    const val = prepared.val ? { x: prepared.val.x, labels: toLabels(prepared.val.uploads) } : undefined;
    progress.set({
      phase: 'train',
      fraction: 0.3,
      message: `training ${decision.strategy} on ${trainLabels.length} images`,
    });
    const result = await train(input, { ...options, validation: val ?? 0.1 }, (e) => {
      if (e.type === 'batch' && e.batch % 5 !== 0) return;
      const done =
        (e.epoch + (e.type === 'epoch' ? 1 : e.batch / Math.max(1, e.batches))) / Math.max(1, e.epochs);
      progress.set({
        phase: 'train',
        fraction: 0.3 + 0.6 * Math.min(1, done),
        epoch: e.epoch + 1,
        epochs: e.epochs,
        loss: e.loss,
        ...(e.valAcc !== undefined ? { valAcc: e.valAcc } : {}),
        message:
          e.type === 'epoch'
            ? `epoch ${e.epoch + 1}/${e.epochs}: loss ${e.loss.toFixed(3)}${e.valAcc !== undefined ? `, val acc ${e.valAcc.toFixed(3)}` : ''}`
            : undefined,
      });
    });
    try {
      progress.set({ phase: 'evaluate', fraction: 0.92, message: 'evaluating on the test split' });
      const evaluation = evaluateSplits(result, prepared, toLabels, index.labels);
      progress.set({ phase: 'publish', fraction: 0.96, message: 'publishing the model version' });
      const bundle = createBundle({
        backbone,
        result,
        labels: index.labels,
        temperature: evaluation.temperature,
        metrics: evaluation.summary,
        datasetFingerprint: await fingerprintDataset(prepared.fingerprint),
      });
      const version = await publishVersion(new ModelRegistry(store), spec.model, bundle, {
        dataset: spec.dataset,
        counts: countsBySplit(index),
        rejected: prepared.rejected,
        decision: {
          strategy: decision.strategy,
          scenario: decision.scenario,
          explanation: decision.explanation,
          ...(prepared.cut ? { cut: prepared.cut } : {}),
          ...(decision.upper ? { upper: decision.upper } : {}),
          advice: decision.advice,
        },
        history: result.history,
        bestEpoch: result.bestEpoch,
        test: evaluation.test,
        testUncalibrated: evaluation.testUncalibrated,
        testKeys: (prepared.test ?? prepared.val)?.uploads.map((u) => u.key) ?? [],
        testPredictions: evaluation.testPredictions,
        seconds: result.seconds,
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
      models.push(result.model, result.head, result.inference);
    }
  } finally {
    prepared.dispose();
  }
}

interface PreparedSplit {
  uploads: Upload[];
  x: tf.Tensor;
}

interface Prepared {
  cut?: string;
  train: PreparedSplit & Partial<TrainInput>;
  val?: PreparedSplit;
  test?: PreparedSplit;
  rejected: Gathered['rejected'];
  /** `{ sha256, label }` of every training image (for the data set fingerprint). */
  fingerprint: { sha256: string; label: string }[];
  dispose(): void;
}

/** Builds the training/validation/test inputs the chosen strategy trains on. */
async function prepareInputs(
  decision: Decision,
  backbone: Backbone,
  index: DatasetIndex,
  splits: Record<'train' | 'val' | 'test', Upload[]>,
  extractDeps: ProcessDeps,
  progress: ReturnType<typeof progressReporter>,
): Promise<Prepared> {
  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T) => {
    tensors.push(t);
    return t;
  };
  const dispose = () => tf.dispose(tensors);
  const rejected: Gathered['rejected'] = [];
  const fingerprint: Prepared['fingerprint'] = [];
  try {
    if (decision.strategy === 'feature-extraction' || decision.strategy === 'freeze-k') {
      const extractor = await extractDeps.extractors.get(index.config);
      const at = { backboneId: extractor.backboneId, cut: extractor.cut };
      const total = index.uploads.length;
      let base = 0;
      const gather = async (uploads: Upload[]) => {
        const g = await gatherActivations(extractDeps, at, uploads, (done) =>
          progress.set({
            phase: 'features',
            fraction: 0.05 + (0.25 * (base + done)) / Math.max(1, total),
            message: undefined,
          }),
        );
        base += uploads.length;
        rejected.push(...g.rejected);
        g.uploads.forEach((u, i) => {
          if (u.split === 'train') fingerprint.push({ sha256: g.sha256[i]!, label: u.label });
        });
        if (g.uploads.length === 0) return undefined;
        const x = keep(stack(g.activations, g.shape));
        return { uploads: g.uploads, x };
      };
      const train = await gather(splits.train);
      if (!train) throw new JobError('no_training_images', 'no usable training image (all were rejected)');
      const val = await gather(splits.val);
      const test = await gather(splits.test);
      if (decision.strategy === 'freeze-k') {
        // The data set stores activations at its cut; the job may freeze more (a deeper cut): the frozen
        // layers between the two run once over the stored activations.
        const cut = freezeCut(backbone, extractor.cut, decision);
        const forward = (split?: PreparedSplit) =>
          split && cut !== extractor.cut
            ? {
                uploads: split.uploads,
                x: keep(predictInBatches(segment(backbone, extractor.cut, cut), split.x)),
              }
            : split;
        const trainAt = forward(train)!;
        return {
          cut,
          train: {
            ...trainAt,
            strategy: 'freeze-k',
            backbone,
            cut,
            upper: decision.upper ?? 'retrain',
            activations: trainAt.x as tf.Tensor4D,
          },
          val: forward(val),
          test: forward(test),
          rejected,
          fingerprint,
          dispose,
        };
      }
      // Feature extraction: the frozen layers above the stored cut turn activations into pooled features once.
      const { upper } = splitBackbone(backbone, extractor.cut);
      const pool = (split?: PreparedSplit) =>
        split && upper ? { uploads: split.uploads, x: keep(predictInBatches(upper, split.x)) } : split;
      const trainFeatures = pool(train)!;
      return {
        cut: 'features',
        train: { ...trainFeatures, strategy: 'feature-extraction', features: trainFeatures.x },
        val: pool(val),
        test: pool(test),
        rejected,
        fingerprint,
        dispose,
      };
    }
    // scratch / fine-tune train from images.
    const read = (key: string) => extractDeps.store.get(key);
    const load = async (uploads: Upload[], phaseFraction: number, fingerprinted = false) => {
      if (uploads.length === 0) return undefined;
      progress.set({
        phase: 'images',
        fraction: phaseFraction,
        message: `decoding ${uploads.length} images`,
      });
      const byKey = new Map(uploads.map((u) => [u.key, u]));
      const batch = await imagesTensor(
        read,
        uploads.map((u) => u.key),
        backbone,
        async (key, bytes) => {
          if (fingerprinted) fingerprint.push({ sha256: await sha256(bytes), label: byKey.get(key)!.label });
        },
      );
      rejected.push(...batch.skipped);
      keep(batch.images);
      if (batch.keys.length === 0) return undefined;
      return { uploads: batch.keys.map((k) => byKey.get(k)!), x: batch.images };
    };
    const train = await load(splits.train, 0.05, true);
    if (!train) throw new JobError('no_training_images', 'no usable training image (all were rejected)');
    return {
      train: {
        ...train,
        strategy: decision.strategy,
        backbone,
        images: train.x as tf.Tensor4D,
      } as Prepared['train'],
      val: await load(splits.val, 0.2),
      test: await load(splits.test, 0.25),
      rejected,
      fingerprint,
      dispose,
    };
  } catch (error) {
    dispose();
    throw error;
  }
}

function evaluateSplits(
  result: TrainResult,
  prepared: Prepared,
  toLabels: (u: Upload[]) => number[],
  labels: string[],
) {
  const scores = (split?: PreparedSplit) =>
    split ? (predictInBatches(result.model, split.x) as tf.Tensor2D) : undefined;
  const valScores = scores(prepared.val);
  const testScores = scores(prepared.test ?? prepared.val);
  const evalSplit = prepared.test ?? prepared.val;
  try {
    let temperature = 1;
    if (valScores && prepared.val)
      temperature = fitTemperature(
        toLogits(valScores.arraySync()),
        toLabels(prepared.val.uploads),
      ).temperature;
    if (!testScores || !evalSplit) {
      return {
        temperature,
        summary: {
          accuracy: Number.NaN,
          macroF1: Number.NaN,
          ece: Number.NaN,
          eceCalibrated: Number.NaN,
          temperature,
        },
        test: undefined,
        testUncalibrated: undefined,
        testPredictions: [],
      };
    }
    const rows = testScores.arraySync();
    const truth = toLabels(evalSplit.uploads);
    const uncalibrated = evaluate(rows, truth, labels);
    const calibrated = evaluate(toLogits(rows), truth, labels, { kind: 'logits', temperature });
    const testPredictions = rows.map((row) => row.indexOf(Math.max(...row)));
    return {
      temperature,
      summary: {
        accuracy: calibrated.accuracy,
        macroF1: calibrated.macroF1,
        ece: uncalibrated.ece,
        eceCalibrated: calibrated.ece,
        temperature,
      },
      test: calibrated,
      testUncalibrated: {
        ece: uncalibrated.ece,
        reliability: uncalibrated.reliability,
        nll: uncalibrated.nll,
      },
      testPredictions,
    };
  } finally {
    tf.dispose([valScores, testScores].filter((t): t is tf.Tensor2D => t !== undefined));
  }
}

/**
 * The cut a freeze-k job trains above: the one asked for (`options.cut`) or advised, but never below the cut the
 * data set's activations are stored at (those layers are already baked into the stored activations).
 */
function freezeCut(backbone: Backbone, storedCut: string, decision: Decision): string {
  const wanted = decision.cut ?? decision.advice?.cut ?? storedCut;
  const index = (name: string) => backbone.cuts.find((c) => c.name === name)?.index;
  const wantedIndex = index(wanted);
  if (wantedIndex === undefined)
    throw new JobError('unknown_cut', `cut '${wanted}' is not a cut point of ${backbone.id}`);
  return wantedIndex < (index(storedCut) ?? 0) ? storedCut : wanted;
}

/** The frozen layers of `backbone` from the output of `from` to the output of `to`, as one model. */
function segment(backbone: Backbone, from: string, to: string): tf.LayersModel {
  const { upper } = splitBackbone(backbone, from);
  if (!upper) throw new JobError('unknown_cut', `nothing lies above '${from}'`);
  const size = upper.inputs[0]!.shape[1] ?? 1;
  const above = backboneFromModel(upper, {
    name: `${backbone.name}-above-${from}`,
    preprocessing: backbone.preprocessing,
    inputSize: size,
  });
  return splitBackbone(above, to).trunk;
}

function predictInBatches(model: tf.LayersModel, x: tf.Tensor, batchSize = 64): tf.Tensor {
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < x.shape[0]!; start += batchSize) {
      const size = Math.min(batchSize, x.shape[0]! - start);
      parts.push(tf.tidy(() => model.predict(tf.slice(x, start, size)) as tf.Tensor));
    }
    return parts.length === 1 ? parts[0]!.clone() : tf.concat(parts);
  } finally {
    tf.dispose(parts);
  }
}

function stack(rows: Float32Array[], shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(rows.length * size);
  rows.forEach((row, i) => {
    flat.set(row, i * size);
  });
  return tf.tensor(flat, [rows.length, ...shape]);
}

function bySplit(uploads: Upload[]): Record<'train' | 'val' | 'test', Upload[]> {
  const out = { train: [] as Upload[], val: [] as Upload[], test: [] as Upload[] };
  for (const u of uploads) out[u.split].push(u);
  return out;
}

function countsBySplit(index: DatasetIndex): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = { train: {}, val: {}, test: {} };
  for (const u of index.uploads) out[u.split]![u.label] = (out[u.split]![u.label] ?? 0) + 1;
  return out;
}

function stripCut(options?: JobSpec['options']): TrainOptions {
  if (!options) return {};
  const { cut: _cut, upper: _upper, ...rest } = options;
  return rest;
}
