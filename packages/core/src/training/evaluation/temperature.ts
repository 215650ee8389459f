import { InvalidTrainingInputError } from '../errors.js';
import { type ScoreKind, type Scores, toLogits, toRows } from './scores.js';

/**
 * Mean negative log-likelihood of `labels` under `softmax(logits / t)`.
 *
 * @example
 * ```ts
 * temperatureNll([[2, 0]], [0], 1); // 0.127
 * ```
 */
export function temperatureNll(logits: number[][], labels: ArrayLike<number>, t: number): number {
  let sum = 0;
  logits.forEach((row, i) => {
    const m = Math.max(...row);
    let z = 0;
    for (const v of row) z += Math.exp((v - m) / t);
    sum -= (row[labels[i]!]! - m) / t - Math.log(z);
  });
  return sum / logits.length;
}

/**
 * Temperature scaling (Guo et al. 2017): the `T > 0` minimising validation NLL of `softmax(logits / T)`, by
 * golden-section search over `log T` in [log 0.05, log 20] (the NLL is convex in 1/T). Probabilities are
 * turned into logits with `log p`. `T > 1` softens an over-confident model.
 *
 * @example
 * ```ts
 * const { temperature, nllBefore, nllAfter } = fitTemperature(valLogits, valLabels);
 * ```
 */
export function fitTemperature(
  scores: Scores,
  labels: ArrayLike<number>,
  options: { kind?: ScoreKind; min?: number; max?: number; iterations?: number } = {},
): { temperature: number; nllBefore: number; nllAfter: number } {
  const logits = toLogits(toRows(scores), options.kind ?? 'auto');
  if (logits.length === 0 || logits.length !== labels.length)
    throw new InvalidTrainingInputError('temperature scaling needs one label per (non-empty) score row');
  const f = (logT: number) => temperatureNll(logits, labels, Math.exp(logT));
  let a = Math.log(options.min ?? 0.05);
  let b = Math.log(options.max ?? 20);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < (options.iterations ?? 60); i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: f(Math.log(temperature)) };
}
