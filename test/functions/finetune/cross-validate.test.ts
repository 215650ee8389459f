/**
 * Cross-validating a cheap candidate (a head over stored features): stratified folds, an accuracy that tells
 * learnable labels from noise, the backbone's weights untouched and no tensor left behind.
 */
import { type Backbone, loadBackbone, seededRandom } from '@graft/core';
import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CV_BELOW_VAL_IMAGES,
  crossValidate,
  shouldCrossValidate,
  stratifiedFolds,
} from '../../../functions/finetune/src/cross-validate.js';
import type { PreparedInputs } from '../../../functions/finetune/src/prepared.js';

let backbone: Backbone;

beforeAll(async () => {
  await initBackend();
  backbone = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
});

const CLASSES = 3;
const DIM = 12;

/** Rows whose class shifts its own feature by 3 (learnable), with unit noise everywhere. */
function rows(perClass: number, rand: () => number): { x: number[][]; labels: number[] } {
  const x: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < CLASSES; c++)
    for (let i = 0; i < perClass; i++) {
      x.push(Array.from({ length: DIM }, (_, d) => (d === c ? 3 : 0) + (rand() - 0.5) * 2));
      labels.push(c);
    }
  return { x, labels };
}

function prepared(train: number[][], val: number[][]): PreparedInputs {
  const trainX = tf.tensor2d(train);
  const valX = tf.tensor2d(val);
  return {
    cut: 'features',
    input: { strategy: 'feature-extraction', features: trainX },
    train: { uploads: [], x: trainX },
    val: { uploads: [], x: valX },
    rejected: [],
    fingerprint: [],
    dispose: () => tf.dispose([trainX, valX]),
  };
}

const OPTIONS = { epochs: 15, learningRate: 1e-2, batchSize: 16, head: { hidden: 0 }, seed: 1 };

describe('stratifiedFolds', () => {
  it("deals every label's rows across the folds, each row once, sizes within one", () => {
    const labels = [...Array(23)].map((_, i) => (i < 11 ? 0 : i < 19 ? 1 : 2));
    const folds = stratifiedFolds(labels, 5, 7);
    expect(folds.flat().sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    const sizes = folds.map((f) => f.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const label of [0, 1, 2]) {
      const perFold = folds.map((f) => f.filter((i) => labels[i] === label).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    expect(stratifiedFolds(labels, 5, 7)).toEqual(folds);
    expect(stratifiedFolds(labels, 5, 8)).not.toEqual(folds);
  });
});

describe('shouldCrossValidate', () => {
  it('only when there is a validation split too small to rank on, and not too many images to train five times', () => {
    expect(shouldCrossValidate(180, 20)).toBe(true);
    expect(shouldCrossValidate(200, 0)).toBe(false);
    expect(shouldCrossValidate(9000, CV_BELOW_VAL_IMAGES)).toBe(false);
    expect(shouldCrossValidate(4900, 400)).toBe(false);
  });
});

describe('crossValidate', () => {
  it('scores every image once with a head that did not train on it: learnable labels high, noise at chance', async () => {
    const rand = seededRandom(3);
    const train = rows(24, rand);
    const val = rows(4, rand);
    const inputs = prepared(train.x, val.x);
    const backboneWeights = backbone.model.weights.slice(0, 3).map((w) => w.read().dataSync().slice(0, 4));
    const before = tf.memory().numTensors;
    try {
      const folds: number[] = [];
      const learnable = await crossValidate({
        prepared: inputs,
        trainLabels: train.labels,
        valLabels: val.labels,
        classNames: ['a', 'b', 'c'],
        backbone,
        options: OPTIONS,
        onFold: (done) => folds.push(done),
      });
      expect(learnable).toMatchObject({ folds: 5, images: 84 });
      expect(folds).toEqual([1, 2, 3, 4, 5]);
      expect(learnable.accuracy).toBeGreaterThan(0.9);
      expect(learnable.sd).toBeGreaterThanOrEqual(0);
      // The same rows with every label drawn at random: nothing to learn.
      const noise = (labels: number[]) => labels.map(() => Math.floor(rand() * CLASSES));
      const chance = await crossValidate({
        prepared: inputs,
        trainLabels: noise(train.labels),
        valLabels: noise(val.labels),
        classNames: ['a', 'b', 'c'],
        backbone,
        options: OPTIONS,
      });
      expect(chance.accuracy).toBeLessThan(0.55);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      inputs.dispose();
    }
    expect(backbone.model.weights.slice(0, 3).map((w) => w.read().dataSync().slice(0, 4))).toEqual(
      backboneWeights,
    );
  });
});
