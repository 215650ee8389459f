import { type Flags, intFlag, UsageError } from '@graft/cli';
import { ADVISOR_THRESHOLDS, advise, type Backbone, disposeWeights, measureSimilarity } from '@graft/core';
import { initBackend, type tf } from '@graft/runtime';
import type { BenchRun } from '../benches/types.js';
import { accuracyOf } from './shared/accuracy.js';
import { grayTensor } from './shared/gray-images.js';
import {
  digitsTarget,
  fashionClasses,
  fashionTarget,
  samplePerClass,
  type TargetPool,
} from './shared/scenario-data.js';
import { trainCnn } from './shared/source-cnn.js';
import { meanSd, round } from './shared/stats.js';
import { runStrategy, type StrategySpec } from './shared/strategy-run.js';

/** Every strategy measured in each cell: freeze-k keeps conv1 (retrains conv2 + head) or both convs (head only). */
export const SCENARIO_STRATEGIES: StrategySpec[] = [
  { name: 'feature-extraction' },
  { name: 'freeze-k', cut: 'conv1_relu' },
  { name: 'freeze-k', cut: 'conv2_relu' },
  { name: 'fine-tune' },
  { name: 'scratch' },
];

interface StrategyRow {
  name: string;
  k?: number;
  cut?: string;
  mean: number;
  sd: number;
  accs: number[];
}

/**
 * `graft eval scenarios`: the four-scenario table, measured. A source CNN (Keras' MNIST-transfer CNN, `--filters`
 * per conv, default 16) is developed on Fashion-MNIST classes 0–4 (all 30,000 training images, `--source-epochs`,
 * default 1). Targets: similar = Fashion-MNIST classes 5–9, different = MNIST digits 5–9; small = `--small` images
 * per class (default 20, a seeded sample per seed), large = the first `--large` per class (default 1000: where the
 * advisor starts to count a data set as large; the digits hold only ~780 per class after the test hold-out, so that
 * cell takes all of them; all of Fashion's 6,000 per class, `--large 6000`, takes about 30 minutes a seed here).
 * In each cell every strategy of {@link SCENARIO_STRATEGIES} runs with `--seeds` seeds (default 3; early stopping
 * on a 20 % validation split of the cell's training images) and is scored on the test images of those classes
 * (Fashion: the standard test split; digits: the last 20 % of each digit).
 * The advisor gets the cell's class counts and `measureSimilarity` of its images against the source.
 * `--cells large-similar,…` measures only those cells (default all four), e.g. to locate a threshold at one size.
 *
 * @example
 * ```ts
 * const { cells, advisorWithinOneSd } = await run({ seeds: '1', small: '5', large: '20' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const started = performance.now();
  await initBackend();
  const o = {
    seeds: intFlag(flags, 'seeds', 3),
    small: intFlag(flags, 'small', 20),
    large: intFlag(flags, 'large', 1000),
    sourceEpochs: intFlag(flags, 'source-epochs', 1),
    sourceTrain: intFlag(flags, 'source-train', 0),
    filters: intFlag(flags, 'filters', 16),
    epochs: intFlag(flags, 'epochs', 15),
    largeEpochs: intFlag(flags, 'large-epochs', 4),
    testPerClass: intFlag(flags, 'test', 0),
  };
  const wanted = cellsFlag(flags);
  const sourceClasses = [0, 1, 2, 3, 4];
  const src = await fashionClasses(sourceClasses, 'train', o.sourceTrain ? Math.ceil(o.sourceTrain / 5) : 0);
  const srcTest = await fashionClasses(sourceClasses, 'test', o.testPerClass);
  const targets: Partial<Record<'similar' | 'different', TargetPool>> = {
    ...([...wanted].some((c) => c.endsWith('-similar')) && {
      similar: await fashionTarget(o.large, o.testPerClass),
    }),
    ...([...wanted].some((c) => c.endsWith('-different')) && {
      different: await digitsTarget(o.large, o.testPerClass),
    }),
  };

  log(`developing the source CNN on ${src.labels.length} Fashion-MNIST images of classes 0–4`);
  const x = grayTensor(
    src.images,
    src.labels.map((_, i) => i),
  );
  const developed = await trainCnn(
    { x, labels: src.labels },
    sourceClasses.map((c) => `fashion-${c}`),
    { epochs: o.sourceEpochs, filters: o.filters, batchSize: 128, augmentation: false },
    (e) =>
      log(
        `  source epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} val acc ${e.valAcc?.toFixed(4)}`,
      ),
  );
  x.dispose();
  const source = developed.backbone!;
  const srcTestX = grayTensor(
    srcTest.images,
    srcTest.labels.map((_, i) => i),
  );
  const sourceAccuracy = accuracyOf(developed.model, srcTestX, srcTest.labels);
  srcTestX.dispose();
  log(`  source test accuracy ${sourceAccuracy.toFixed(4)}`);

  const cells = [];
  try {
    for (const size of ['small', 'large'] as const)
      for (const similarity of ['similar', 'different'] as const) {
        if (!wanted.has(`${size}-${similarity}`)) continue;
        cells.push(await measureCell(source, targets[similarity]!, size, similarity, o, log));
      }
  } finally {
    disposeWeights([developed.model, source.model]);
  }
  return {
    source: {
      data: 'Fashion-MNIST classes 0–4',
      trainImages: src.labels.length,
      testAccuracy: round(sourceAccuracy),
      architecture: `mnist-cnn, ${o.filters} filters per conv`,
      epochs: o.sourceEpochs,
    },
    options: { ...o, cells: [...wanted] },
    thresholds: ADVISOR_THRESHOLDS,
    cells,
    advisorWithinOneSd: cells.filter((c) => c.advisorWithinOneSd).length,
    seconds: round((performance.now() - started) / 1000, 1),
  };
};

async function measureCell(
  source: Backbone,
  pool: TargetPool,
  size: 'small' | 'large',
  similarity: 'similar' | 'different',
  o: { seeds: number; small: number; large: number; epochs: number; largeEpochs: number },
  log: (m: string) => void,
) {
  const testX = grayTensor(
    pool.testImages,
    pool.testLabels.map((_, i) => i),
  );
  const rows: StrategyRow[] = SCENARIO_STRATEGIES.map((s) => ({
    name: s.name,
    ...(s.cut ? { cut: s.cut, k: source.cuts.find((c) => c.name === s.cut)!.index } : {}),
    mean: 0,
    sd: 0,
    accs: [],
  }));
  let advisor: Record<string, unknown> = {};
  let trainImages = 0;
  try {
    for (let seed = 1; seed <= o.seeds; seed++) {
      const indexes =
        size === 'small' ? samplePerClass(pool.labels, o.small, seed) : pool.labels.map((_, i) => i);
      const labels = indexes.map((i) => pool.labels[i]!);
      trainImages = labels.length;
      const x = grayTensor(pool.images, indexes);
      try {
        if (seed === 1) advisor = await adviseCell(source, x, labels, pool.classNames.length);
        const options = {
          epochs: size === 'small' ? o.epochs : o.largeEpochs,
          batchSize: size === 'small' ? 16 : 64,
          learningRate: 1e-3,
          seed,
          validation: 0.2,
          earlyStopping: { patience: size === 'small' ? 5 : 2 },
          head: { hidden: 128, dropout: 0.5 },
        };
        const data = { x, labels, testX, testLabels: pool.testLabels, classNames: pool.classNames };
        for (const [i, spec] of SCENARIO_STRATEGIES.entries()) {
          const t0 = performance.now();
          const acc = await runStrategy(source, spec, data, options);
          rows[i]!.accs.push(round(acc));
          log(
            `  ${size}/${similarity} seed ${seed} ${spec.name}${spec.cut ? `@${spec.cut}` : ''}: ${acc.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
          );
        }
      } finally {
        x.dispose();
      }
    }
  } finally {
    testX.dispose();
  }
  for (const row of rows) Object.assign(row, mapRound(meanSd(row.accs)));
  const best = rows.reduce((a, b) => (b.mean > a.mean ? b : a));
  const picked = rows.find(
    (r) => r.name === advisor.strategy && (r.name !== 'freeze-k' || r.cut === advisor.cut),
  );
  const advisorWithinOneSd = picked ? best.mean - picked.mean <= Math.max(best.sd, picked.sd) : false;
  return {
    size,
    similarity,
    /** The median training images per class the advisor decided on (the digits hold fewer than `--large`). */
    perClass: advisor.perClass,
    trainImages,
    testImages: pool.testLabels.length,
    strategies: rows,
    best: { name: best.name, ...(best.cut ? { cut: best.cut, k: best.k } : {}), mean: best.mean },
    advisor,
    advisorWithinOneSd,
  };
}

/** What the advisor recommends for these images (class counts + similarity measured against the source). */
export async function adviseCell(source: Backbone, x: tf.Tensor4D, labels: number[], classes: number) {
  const counts = Array.from({ length: classes }, (_, c) => labels.filter((l) => l === c).length);
  const similarity = await measureSimilarity(source, x);
  const advice = advise({ counts, similarity, backbone: source });
  return {
    strategy: advice.strategy,
    ...(advice.strategy === 'freeze-k' ? { k: advice.k, cut: advice.cut } : {}),
    scenario: advice.scenario,
    perClass: advice.perClass,
    similarityScore: round(similarity.score),
    similarityMethod: similarity.method,
    explanation: advice.explanation,
  };
}

const CELLS = ['small-similar', 'small-different', 'large-similar', 'large-different'];

/** `--cells a,b`: which of the four cells to measure (default all); an unknown name is a usage error. */
function cellsFlag(flags: Flags): Set<string> {
  const value = flags.cells;
  if (value === undefined) return new Set(CELLS);
  const names = String(value)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const unknown = names.filter((c) => !CELLS.includes(c));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(`--cells expects a comma list of ${CELLS.join(', ')}; got '${String(value)}'`);
  return new Set(names);
}

function mapRound(s: { mean: number; sd: number }) {
  return { mean: round(s.mean), sd: round(s.sd) };
}
