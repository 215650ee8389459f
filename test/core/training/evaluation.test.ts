import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluate,
  fitTemperature,
  InvalidTrainingInputError,
  predictWithThreshold,
  temperatureNll,
} from '../../../packages/core/src/training/index.js';

beforeAll(async () => {
  await initBackend();
});

const probs = [
  [0.7, 0.2, 0.1],
  [0.6, 0.3, 0.1],
  [0.1, 0.8, 0.1],
  [0.2, 0.2, 0.6],
  [0.1, 0.5, 0.4],
  [0.9, 0.05, 0.05],
];
const labels = [0, 1, 1, 2, 2, 0];

describe('evaluate', () => {
  it('matches a hand-computed example', () => {
    const r = evaluate(probs, labels, ['a', 'b', 'c']);
    expect(r.accuracy).toBeCloseTo(4 / 6, 10);
    expect(r.confusion).toEqual([
      [2, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
    expect(r.perClass[0]).toMatchObject({ label: 'a', support: 2, recall: 1 });
    expect(r.perClass[0]!.precision).toBeCloseTo(2 / 3, 10);
    expect(r.perClass[0]!.f1).toBeCloseTo(0.8, 10);
    expect(r.perClass[1]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(r.perClass[2]).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(r.perClass[2]!.f1).toBeCloseTo(2 / 3, 10);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10);
    // bins: 0.7 ✓ (0.3), 0.6 ✗ + 0.6 ✓ share a bin (2/6 · 0.1), 0.8 ✓ (0.2), 0.5 ✗ (0.5), 0.9 ✓ (0.1)
    expect(r.ece).toBeCloseTo((0.3 + 0.2 + 0.5 + 0.1 + 2 * 0.1) / 6, 10);
    expect(r.reliability).toHaveLength(15);
    expect(r.reliability.reduce((a, b) => a + b.count, 0)).toBe(6);
    const nll = -[0.7, 0.3, 0.8, 0.6, 0.4, 0.9].reduce((a, p) => a + Math.log(p), 0) / 6;
    expect(r.nll).toBeCloseTo(nll, 10);
  });

  it('gives the same report for logits and for a tensor of probabilities', () => {
    const logits = probs.map((r) => r.map((p) => Math.log(p) + 3));
    const fromLogits = evaluate(logits, labels, ['a', 'b', 'c'], { kind: 'logits' });
    const t = tf.tensor2d(probs);
    const fromTensor = evaluate(t, labels, ['a', 'b', 'c']);
    t.dispose();
    expect(fromLogits.accuracy).toBeCloseTo(4 / 6, 10);
    expect(fromLogits.ece).toBeCloseTo(fromTensor.ece, 6);
    expect(fromTensor.confusion).toEqual(fromLogits.confusion);
  });

  it('rejects mismatched labels', () => {
    expect(() => evaluate(probs, [0, 1], ['a', 'b', 'c'])).toThrow(InvalidTrainingInputError);
    expect(() => evaluate(probs, labels, ['a', 'b'])).toThrow(/3 entries|2 entries/);
  });
});

describe('temperature scaling', () => {
  // Over-confident: logits ±5 (p ≈ 0.99995) but only 70 % right → optimal T solves sigmoid(10/T) = 0.7.
  const logits: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 100; i++) {
    const pred = i % 2;
    logits.push(pred === 0 ? [5, -5] : [-5, 5]);
    y.push(i % 10 < 7 ? pred : 1 - pred);
  }

  it('lowers the NLL and finds the analytic optimum', () => {
    const { temperature, nllBefore, nllAfter } = fitTemperature(logits, y, { kind: 'logits' });
    expect(nllBefore).toBeCloseTo(temperatureNll(logits, y, 1), 10);
    expect(nllAfter).toBeLessThan(nllBefore / 4); // 3.0 → binary entropy of 0.7 = 0.611
    expect(temperature).toBeCloseTo(10 / Math.log(0.7 / 0.3), 2);
    const calibrated = evaluate(logits, y, ['a', 'b'], { kind: 'logits', temperature });
    const raw = evaluate(logits, y, ['a', 'b'], { kind: 'logits' });
    expect(calibrated.ece).toBeLessThan(0.01);
    expect(raw.ece).toBeGreaterThan(0.29);
  });

  it('flags low-confidence predictions as unknown', () => {
    const out = predictWithThreshold(
      [
        [2, 1.8],
        [4, -4],
      ],
      ['cat', 'dog'],
      { threshold: 0.7, kind: 'logits' },
    );
    expect(out[0]).toMatchObject({ label: 'cat', unknown: true });
    expect(out[1]).toMatchObject({ label: 'cat', unknown: false });
    // a high temperature flattens the second prediction below the threshold too
    const soft = predictWithThreshold([[4, -4]], ['cat', 'dog'], {
      threshold: 0.65,
      kind: 'logits',
      temperature: 10,
    });
    expect(soft[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-0.8)), 6);
    expect(soft[0]!.unknown).toBe(false);
    const softer = predictWithThreshold([[4, -4]], ['cat', 'dog'], {
      threshold: 0.65,
      kind: 'logits',
      temperature: 20,
    });
    expect(softer[0]!.unknown).toBe(true);
    expect(softer[0]!.ranked.map((r) => r.label)).toEqual(['cat', 'dog']);
  });
});
