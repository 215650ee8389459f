import type { ValidationCheck } from '@graft/jobs';
import type { Upload } from './dataset-index.js';
import type { Splits } from './splits.js';

/**
 * The splits with a validation split: the data set's own, or — when it has none (a folder with only `train/` and
 * `test/`) — every tenth training image of each label that has at least five, in key order. Every decision a job
 * makes after training (the race, the chance check, calibration, promotion) is measured on it, so it is never
 * trained on.
 *
 * @example
 * ```ts
 * const { splits, carved } = withValidation(bySplit(index.uploads));
 * ```
 */
export function withValidation(splits: Splits): { splits: Splits; carved: number } {
  if (splits.val.length > 0) return { splits, carved: 0 };
  const byLabel = new Map<string, Upload[]>();
  for (const u of splits.train) byLabel.set(u.label, [...(byLabel.get(u.label) ?? []), u]);
  const val = new Set<Upload>();
  for (const uploads of byLabel.values()) {
    if (uploads.length < 5) continue;
    const sorted = [...uploads].sort((a, b) => (a.key < b.key ? -1 : 1));
    sorted
      .filter((_, i) => i % 10 === 9 || (uploads.length < 10 && i === sorted.length - 1))
      .forEach((u) => {
        val.add(u);
      });
  }
  const moved = [...val].map((u) => ({ ...u, split: 'val' as const }));
  return {
    splits: { ...splits, train: splits.train.filter((u) => !val.has(u)), val: moved },
    carved: moved.length,
  };
}

/** Fewer validation images than this cannot tell a model from chance: the check is skipped (and says so). */
export const MIN_JUDGED_IMAGES = 10;

/**
 * Whether a model's validation accuracy is clearly better than chance: above the majority class's share of the
 * validation split by more than two standard errors of that share (a one-sided binomial test at ~2.3 %). With 10
 * balanced classes and 150 images the bar is 0.149; with 2 classes and 20 images, 0.724.
 *
 * @example
 * ```ts
 * const check = validationCheck(0.1, [0, 1, 2, 0, 1, 2]); // judged: false (too few images)
 * ```
 */
export function validationCheck(accuracy: number, labels: number[]): ValidationCheck {
  const n = labels.length;
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const chance = n === 0 ? 0 : Math.max(...counts.values()) / n;
  const threshold = n === 0 ? 0 : chance + 2 * Math.sqrt((chance * (1 - chance)) / n);
  const judged = n >= MIN_JUDGED_IMAGES && chance < 1;
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    images: n,
    accuracy: round(accuracy),
    chance: round(chance),
    threshold: round(threshold),
    judged,
    passed: !judged || accuracy > threshold,
  };
}
