import { type Backbone, widestBeforeLastDownsampling } from '../../backbone/index.js';
import { InvalidTrainingInputError } from '../errors.js';
import type { StrategyName } from '../types.js';
import type { SimilarityMeasure } from './similarity.js';
import { ADVISOR_THRESHOLDS, type AdvisorThresholds } from './thresholds.js';

/**
 * The advisor's recommendation.
 *
 * @example
 * ```ts
 * const { scenario, strategy, cut, explanation } = advise({ counts, similarity, backbone });
 * ```
 */
export interface Advice {
  scenario: 1 | 2 | 3 | 4;
  strategy: Exclude<StrategyName, 'develop'>;
  /** Cut point name: the frozen trunk ends here (`'features'` for feature extraction, null = nothing frozen). */
  cut: string | null;
  /** Layer index of the cut (−1 when nothing is frozen). */
  k: number;
  /**
   * Scenario 2 only: `'retrain'` the pretrained layers above the cut, or `'replace'` them with a new head on the
   * pooled activations at the cut (when the data set is too small to retrain even the top pretrained layer).
   */
  upper?: 'retrain' | 'replace';
  size: 'small' | 'large';
  /** The median training images per class that `size` was decided on. */
  perClass: number;
  similarity: 'similar' | 'different';
  explanation: string;
  thresholds: AdvisorThresholds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Picks the scenario (size × similarity) and the strategy: 1 small+similar → feature extraction; 2 small+different
 * → freeze the early layers and retrain the upper blocks (freeze-k); 3 large+different → the architecture from
 * scratch; 4 large+similar → fine-tune everything. The explanation quotes the numbers it used.
 *
 * @example
 * ```ts
 * const advice = advise({ counts: { cat: 120, dog: 95 }, similarity: await measureSimilarity(backbone, imgs), backbone });
 * console.log(advice.strategy, advice.cut, advice.explanation);
 * ```
 */
export function advise(input: {
  counts: Record<string, number> | number[];
  similarity: SimilarityMeasure;
  backbone: Backbone;
  thresholds?: AdvisorThresholds;
}): Advice {
  const t = input.thresholds ?? ADVISOR_THRESHOLDS;
  const counts = Array.isArray(input.counts) ? input.counts : Object.values(input.counts);
  if (counts.length < 2 || counts.some((c) => !Number.isInteger(c) || c < 0))
    throw new InvalidTrainingInputError(
      'counts needs a non-negative integer image count for at least 2 classes',
    );
  const perClass = median(counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const size = perClass >= t.largePerClass ? 'large' : 'small';
  const limit = {
    'bn-statistics': t.similarBnScore,
    'source-statistics': t.similarSourceScore,
    'feature-statistics': t.similarFeatureScore,
  }[input.similarity.method];
  const similarity = input.similarity.score <= limit ? 'similar' : 'different';
  const scenario = size === 'small' ? (similarity === 'similar' ? 1 : 2) : similarity === 'similar' ? 4 : 3;
  const strategy = (['feature-extraction', 'freeze-k', 'scratch', 'fine-tune'] as const)[scenario - 1]!;
  const { cut, k, upper } = chooseCut(input.backbone, scenario, t, total);
  const sizeText = `${total} images in ${counts.length} classes (median ${perClass} per class; large from ${t.largePerClass})`;
  const simText = `similarity score ${input.similarity.score.toFixed(3)} (${input.similarity.method} over ${input.similarity.images} images; similar up to ${limit})`;
  const why = {
    1: `a small data set close to ${input.backbone.name}'s source data: keep the whole network frozen and train a new head on its features`,
    2:
      upper === 'replace'
        ? `a small data set unlike the source data, too small to retrain even the top pretrained layer (at most ${t.maxRetrainedParamsPerImage} retrained parameters per image): freeze the layers up to '${cut}' (layer ${k}, the widest activation before the last downsampling: generic enough to transfer) and replace the source-specific layers above with a new head on its pooled activations`
        : `a small data set unlike the source data: freeze the layers up to '${cut}' (layer ${k}: at most ${t.maxRetrainedParamsPerImage} retrained parameters per image, never below ${Math.round(t.freezeFraction * 100)} % of the pretrained depth) and retrain the layers above with a new head`,
    3: `a large data set unlike the source data: train the ${input.backbone.name} architecture from scratch`,
    4: `a large data set close to the source data: fine-tune every layer from the pretrained weights with a low learning rate`,
  }[scenario];
  return {
    scenario,
    strategy,
    cut,
    k,
    ...(upper ? { upper } : {}),
    size,
    perClass,
    similarity,
    explanation: `Scenario ${scenario} (${size}, ${similarity}): ${sizeText}; ${simText}. Recommended: ${strategy} — ${why}.`,
    thresholds: t,
  };
}

function chooseCut(
  backbone: Backbone,
  scenario: 1 | 2 | 3 | 4,
  t: AdvisorThresholds,
  images: number,
): { cut: string | null; k: number; upper?: 'retrain' | 'replace' } {
  const features = backbone.cuts.at(-1);
  if (scenario === 1) return { cut: features?.name ?? 'features', k: features?.index ?? -1 };
  if (scenario !== 2) return { cut: null, k: -1 };
  // Keep at least the generic early layers frozen, and retrain no more parameters than the data can support:
  // the shallowest cut whose layers above hold at most `maxRetrainedParamsPerImage` parameters per image.
  const depth = backbone.pretrainedUpTo ?? features?.index ?? 0;
  const floor = Math.floor(depth * t.freezeFraction);
  const budget = images * t.maxRetrainedParamsPerImage;
  const layers = backbone.model.layers;
  const paramsAbove = (index: number) =>
    layers.slice(index + 1).reduce((sum, layer) => sum + layer.countParams(), 0);
  const candidates = backbone.cuts.filter((c) => c.name !== 'features');
  const lowest = candidates.filter((c) => c.index <= floor).at(-1) ?? candidates[0];
  const pick = candidates.find(
    (c) => c.index >= (lowest?.index ?? 0) && paramsAbove(c.index) > 0 && paramsAbove(c.index) <= budget,
  );
  if (pick) return { cut: pick.name, k: pick.index, upper: 'retrain' };
  const early = widestBeforeLastDownsampling(candidates) ?? candidates.at(-1) ?? features;
  return { cut: early?.name ?? 'features', k: early?.index ?? -1, upper: 'replace' };
}
