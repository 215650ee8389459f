/**
 * Every number the scenario advisor decides with, in one place.
 *
 * These are starting values. The benchmarks (`graft bench`) calibrate them: they measure the similarity score
 * and the accuracy of each strategy on data sets of known size and similarity (MNIST digits, Fashion-MNIST,
 * photo-like images against ImageNet MobileNetV2) and move the boundaries to where the better strategy flips.
 * Change them here only, with the measurement that justifies the change.
 *
 * @example
 * ```ts
 * import { ADVISOR_THRESHOLDS } from './thresholds.js';
 * ADVISOR_THRESHOLDS.largePerClass; // 1000
 * ```
 */
export const ADVISOR_THRESHOLDS = {
  /**
   * A data set is "large" when its median images per class reaches this (Keras' MNIST transfer example trains
   * on ~6,000 per class; the TF transfer-learning tutorial calls 1,000 per class small enough to fine-tune only
   * the top). Below it, training many pretrained weights over-fits.
   *
   * Measured by `graft eval scenarios` (4 epochs at most, early stopping) with its small source CNN developed on
   * Fashion-MNIST classes 0–4, on Fashion classes 5–9 (similar): feature extraction beat fine-tuning at 100 per
   * class (0.924 vs 0.906), at 1,000 (0.959 ± 0.004 vs 0.955 ± 0.000) and at all 6,000 (0.974 vs 0.968, two seeds),
   * so on those sets the flip to fine-tuning lies above every size there is. Left at 1,000: moving it would fit the
   * advisor to one 16-filter source trained for one epoch, against the ImageNet-backbone practice it encodes.
   */
  largePerClass: 1000,
  /**
   * "Similar" when the BatchNormalization-statistics divergence score (see `measureSimilarity`) is at most this.
   * Measured with the bundled MobileNetV2 at 96 px over 30 images: synthetic photo-like (1/f noise, colour)
   * images 0.62, MNIST digits upscaled to RGB 1.15 (test/core/training/advisor.test.ts); the boundary sits
   * near their geometric mean until real photo benchmarks move it.
   */
  similarBnScore: 0.85,
  /**
   * Same boundary for the feature-statistics fallback (backbones without BatchNormalization): the fraction of
   * inactive features. Measured by `graft eval scenarios` (test/bench/results/scenarios.json) with a CNN developed
   * on Fashion-MNIST classes 0–4, over 64 images per cell: Fashion-MNIST classes 5–9 (similar) 0.310 and 0.321,
   * MNIST digits 5–9 (different) 0.376 and 0.363. The old 0.5 called every one of them similar; the boundary now
   * sits between the two groups. It does not always: the score moves with the developed source. Over four runs
   * (each develops its own source CNN) Fashion scored 0.30–0.33 and the digits 0.32–0.38; in one of them the
   * digits scored 0.332 and 0.324, below the boundary, and were advised as similar. A score relative to the source's
   * own training images would not move with it; the developed backbone does not record those statistics yet.
   */
  similarFeatureScore: 0.34,
  /**
   * "Similar" when the divergence from a developed source's own recorded statistics (`source-statistics`: the same
   * per-channel symmetric KL as `similarBnScore`, against the activations of the source's training images) is at most
   * this. Measured with the source CNN `graft eval scenarios` develops (Keras' MNIST CNN, 16 filters, 3 epochs on 300
   * Fashion-MNIST images per class of classes 0–4, 28 px), 64 images per set, three sources (seeds 1–3): held-out
   * images of the source classes 0.003–0.004, Fashion classes 5–9 (similar) 0.063–0.078, MNIST digits 5–9 (different)
   * 0.136–0.147. The fraction-of-inactive-features fallback on the same sources: 0.24–0.31, 0.22–0.29 and 0.24–0.32
   * (no boundary separates them). The boundary sits at the geometric mean of the two groups' nearest scores.
   * Unlike `similarBnScore` it is calibrated on one architecture: a developed MobileNetV2 may need its own.
   */
  similarSourceScore: 0.1,
  /**
   * Scenario 2 freezes the trunk up to this fraction of the pretrained depth (layers ≤ `pretrainedUpTo`, or the
   * whole model) and retrains the rest: early layers hold generic edges and textures, upper blocks are specific.
   */
  freezeFraction: 0.6,
  /**
   * Scenario 2 retrains at most this many pretrained parameters per training image: a small data set cannot fit
   * millions of weights (and every retrained weight costs training time). Below the budget of the top pretrained
   * layer, the upper layers are replaced by a new head on pooled earlier activations instead. Measured on 1,000
   * MNIST digits at 96 px (100 per class, held-out test): retraining Conv_1 above `block_16_project_BN` (415k
   * parameters, 415 per image) reached 0.79–0.84 in ~120 s; a new head on pooled, standardised
   * `block_13_expand_relu` activations 0.95 in ~7 s. So the budget sits well below 415: Conv_1 is retrained
   * from ~4,200 images, and ~20,000 reach the `freezeFraction` floor.
   */
  maxRetrainedParamsPerImage: 100,
  /** Per-layer weights of the similarity score decay linearly from 1 (first BN layer) to this (last). */
  lastLayerWeight: 0.25,
  /** At most this many images are used to measure similarity. */
  maxSimilarityImages: 64,
} as const;

/**
 * The type of {@link ADVISOR_THRESHOLDS}.
 *
 * @example
 * ```ts
 * const strict: AdvisorThresholds = { ...ADVISOR_THRESHOLDS, similarBnScore: 0.7 };
 * ```
 */
export type AdvisorThresholds = typeof ADVISOR_THRESHOLDS;
