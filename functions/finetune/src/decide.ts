import {
  type Advice,
  advise,
  type Backbone,
  measureSimilarity,
  type SourceStatistics,
  type StrategyName,
} from '@graft/core';
import type { TrainingStrategy } from '@graft/jobs';
import { tf } from '@graft/runtime';
import type { Upload } from './dataset-index.js';
import { JobError } from './errors.js';
import { imagesTensor } from './images.js';

/** The strategy a job runs and why. */
export interface Decision {
  strategy: StrategyName;
  scenario?: 1 | 2 | 3 | 4;
  /** A freeze-k cut asked for explicitly (`options.cut`). */
  cut?: string;
  /** freeze-k: retrain the pretrained layers above the cut, or replace them with a new pooled head. */
  upper?: 'retrain' | 'replace';
  /** A new head over activations pooled on a `grid × grid` grid of regions (`options.head.grid`; default global). */
  grid?: number;
  explanation: string;
  advice?: Advice;
}

/** How many training images per class (what the advisor calls size). */
export function countsPerLabel(uploads: Upload[], labels: string[]): Record<string, number> {
  const counts = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const u of uploads) if (u.split === 'train') counts[u.label] = (counts[u.label] ?? 0) + 1;
  return counts;
}

/** What {@link decideStrategy} decides from. */
export interface DecideArgs {
  /** The strategy the job asked for; `auto` asks the advisor. */
  requested: TrainingStrategy;
  backbone: Backbone;
  uploads: Upload[];
  labels: string[];
  read: (key: string) => Promise<Uint8Array>;
  /** Recorded on the backbone's own source images when Graft developed it: the similarity measure's reference. */
  sourceStats?: SourceStatistics;
  /** How many training images the similarity measure samples (default 64). */
  maxImages?: number;
}

/**
 * Resolves `auto` through the scenario advisor: measures the similarity of a sample of the training images to
 * the backbone's source data and the data set's size; an explicit strategy is kept and explained as a choice.
 *
 * @example
 * ```ts
 * const decision = await decideStrategy({ requested: 'auto', backbone, uploads, labels, read: (k) => store.get(k) });
 * ```
 */
export async function decideStrategy({
  requested,
  backbone,
  uploads,
  labels,
  read,
  sourceStats,
  maxImages = 64,
}: DecideArgs): Promise<Decision> {
  const counts = countsPerLabel(uploads, labels);
  if (requested !== 'auto') {
    return { strategy: requested, explanation: `Strategy ${requested} as requested.` };
  }
  const train = uploads.filter((u) => u.split === 'train');
  const sample = spread(train, maxImages).map((u) => u.key);
  const { images } = await imagesTensor({ read, keys: sample, backbone });
  try {
    if (images.shape[0] === 0) throw new JobError('no_training_images', 'no training image could be decoded');
    const similarity = await measureSimilarity(backbone, images, sourceStats ? { source: sourceStats } : {});
    const advice = advise({ counts, similarity, backbone });
    return { strategy: advice.strategy, scenario: advice.scenario, explanation: advice.explanation, advice };
  } finally {
    tf.dispose(images);
  }
}

/** Up to `n` items spread evenly over the list (every class is represented when the list is grouped). */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}
