import { tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  auroc,
  decodeOod,
  encodeOod,
  fitOod,
  fprAtTpr,
  keepThreshold,
  leadingEigen,
  type Matrix,
  OOD_BUDGET_BYTES,
  OOD_METHODS,
  type OodMethod,
  oodTaps,
  scoreOod,
  symmetricEigen,
} from '../../../packages/core/src/ood/index.js';
import { buildHead } from '../../../packages/core/src/training/index.js';
import { trainingBackend } from '../training/helpers/backend.js';

/** Seeded standard normal numbers (Box–Muller over a linear congruential generator). */
function normals(seed: number): () => number {
  let s = seed;
  const uniform = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s + 1) / 2147483649;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * `classes` Gaussian clusters in `d` dimensions whose within-class spread lies mostly in a few directions; the
 * logits are the negative squared distances to the cluster centres.
 */
function clusters(n: number, d: number, classes: number, seed: number, shift = 0) {
  const gauss = normals(seed);
  const centre = (c: number, j: number) => (j % classes === c ? 4 : 0);
  const data = new Float32Array(n * d);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels.push(c);
    for (let j = 0; j < d; j++) data[i * d + j] = centre(c, j) + gauss() * (j < 4 ? 1 : 0.1) + shift;
  }
  const logits = new Float32Array(n * classes);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < classes; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (data[i * d + j]! - centre(c, j)) ** 2;
      logits[i * classes + c] = -dist / d;
    }
  return {
    features: { rows: n, cols: d, data } as Matrix,
    logits: { rows: n, cols: classes, data: logits } as Matrix,
    labels,
  };
}

beforeAll(async () => {
  await trainingBackend();
});

describe('eigen decompositions', () => {
  it('symmetricEigen finds the eigenpairs of a small symmetric matrix, largest first', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    expect([...values].map((v) => Number(v.toFixed(6)))).toEqual([5, 3, 1]);
    // A v = λ v for the second pair (±[1, 1, 0]/√2)
    expect(Math.abs(vectors[3]!)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(vectors[3]! * vectors[4]!).toBeGreaterThan(0);
  });

  it('leadingEigen recovers the leading directions of a covariance matrix', () => {
    const { features } = clusters(400, 24, 3, 5);
    const x = tf.tensor2d(features.data, [400, 24]);
    const cov = tf.tidy(() => {
      const centred = tf.sub(x, tf.mean(x, 0));
      return tf.div(tf.matMul(centred, centred, true, false), 400) as tf.Tensor2D;
    });
    const full = symmetricEigen(Float64Array.from(cov.dataSync()), 24);
    const top = leadingEigen(cov, 5);
    tf.dispose([x, cov]);
    for (let i = 0; i < 5; i++) expect(top.values[i]).toBeCloseTo(full.values[i]!, 3);
  });
});

describe('the within-class covariance with fewer images than dimensions (the Gram side)', () => {
  it('finds the same variances as the full covariance, with orthonormal directions', () => {
    const few = clusters(40, 96, 2, 11);
    const stats = fitOod({
      train: few.features,
      trainLabels: few.labels,
      numClasses: 2,
      val: few.features,
      valLogits: few.logits,
      components: 8,
    });
    const { means, basis, variances } = stats.mahalanobis;
    const d = 96;
    const centred = new Float64Array(40 * d);
    for (let i = 0; i < 40; i++)
      for (let j = 0; j < d; j++)
        centred[i * d + j] = few.features.data[i * d + j]! - means.data[few.labels[i]! * d + j]!;
    const cov = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        let sum = 0;
        for (let i = 0; i < 40; i++) sum += centred[i * d + a]! * centred[i * d + b]!;
        cov[a * d + b] = sum / 40;
      }
    const full = symmetricEigen(cov, d);
    for (let i = 0; i < 8; i++) expect(variances[i]).toBeCloseTo(full.values[i]!, 3);
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < 8; j++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += basis.data[i * d + k]! * basis.data[j * d + k]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 3);
      }
  });
});

describe('fitOod and the scores', () => {
  const train = clusters(600, 32, 3, 1);
  const val = clusters(200, 32, 3, 2);
  const far = clusters(200, 32, 3, 3, 3);
  const fitted = (method?: OodMethod) =>
    fitOod({
      train: train.features,
      trainLabels: train.labels,
      numClasses: 3,
      val: val.features,
      valLogits: val.logits,
      ...(method ? { method } : {}),
    });

  it('keeps 95 % of in-distribution validation images and separates shifted images', () => {
    const stats = fitted();
    for (const method of OOD_METHODS) {
      const kept = scoreOod(method, stats, val).filter((s) => s <= stats.thresholds[method]).length;
      expect(kept / 200, method).toBeGreaterThanOrEqual(0.94);
      expect(kept / 200, method).toBeLessThanOrEqual(0.97);
    }
    const inScores = scoreOod('mahalanobis', stats, val);
    const outScores = scoreOod('mahalanobis', stats, far);
    expect(auroc(inScores, outScores)).toBeGreaterThan(0.99);
    expect(fprAtTpr(inScores, outScores)).toBeLessThan(0.05);
    expect(auroc(scoreOod('knn', stats, val), scoreOod('knn', stats, far))).toBeGreaterThan(0.9);
  });

  it('survives encodeOod/decodeOod within the budget, with the same scores', () => {
    const stats = fitted('knn');
    const bytes = encodeOod(stats);
    expect(bytes.byteLength).toBeLessThanOrEqual(OOD_BUDGET_BYTES);
    const back = decodeOod(bytes);
    expect(back.method).toBe('knn');
    expect(back.thresholds).toEqual(stats.thresholds);
    for (const method of OOD_METHODS)
      expect(scoreOod(method, back, far)).toEqual(scoreOod(method, stats, far));
    expect(() => decodeOod(bytes.subarray(0, 100))).toThrow(/ood.bin/);
  });

  it('fits a 1280-d, 10-class detector into 2 MB', () => {
    const big = clusters(1500, 1280, 10, 7);
    const few = clusters(20, 1280, 10, 8);
    const stats = fitOod({
      train: big.features,
      trainLabels: big.labels,
      numClasses: 10,
      val: few.features,
      valLogits: few.logits,
    });
    expect(encodeOod(stats).byteLength).toBeLessThanOrEqual(OOD_BUDGET_BYTES);
    expect(stats.knn.bank.rows).toBeGreaterThan(500);
  });
});

describe('metrics', () => {
  it('auroc counts ties half and fprAtTpr reads the 95 % threshold', () => {
    expect(auroc([1, 2], [3, 4])).toBe(1);
    expect(auroc([1, 2], [1, 2])).toBe(0.5);
    expect(auroc([3, 4], [1, 2])).toBe(0);
    expect(fprAtTpr([1, 2, 3, 4], [2.5, 10])).toBe(0.5);
    expect(keepThreshold([1, 2, 3, 4], 0.5)).toBe(2.5);
  });
});

describe('oodTaps', () => {
  it('reads the pooled head input and logits that reproduce the softmax, without leaking tensors', () => {
    const head = buildHead({ inputShape: [4, 4, 8], numClasses: 3, hidden: 6, pool: true, seed: 1 });
    const taps = oodTaps(head);
    const x = tf.randomNormal([5, 4, 4, 8], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const { features, logits } = taps.predict(x);
      expect(features.shape).toEqual([5, 8]);
      const probs = head.predict(x) as tf.Tensor;
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.softmax(logits), probs))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([features, logits, probs]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x]);
    head.dispose();
  });

  it('taps a head without hidden layers (its input is also the last layer input)', () => {
    const head = buildHead({ inputShape: [8], numClasses: 2, seed: 2 });
    const x = tf.randomNormal([3, 8], 0, 1, 'float32', 4);
    const { features, logits } = oodTaps(head).predict(x);
    expect(features.shape).toEqual([3, 8]);
    expect(logits.shape).toEqual([3, 2]);
    tf.dispose([x, features, logits]);
    head.dispose();
  });
});
