import { tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backbone } from '../../../packages/core/src/backbone/index.js';
import { type TrainResult, train } from '../../../packages/core/src/training/index.js';
import { accuracy, trainingBackend } from './helpers/backend.js';
import { mnistImages } from './helpers/mnist.js';

// Keras' mnist_transfer_cnn.py at a tiny scale: develop a CNN on digits 0–4, transfer to digits 5–9.
const SIZE = 14;
const source = ['0', '1', '2', '3', '4'];
const target = ['5', '6', '7', '8', '9'];
let backend = '';
let developed: TrainResult;
let backbone: Backbone;
let targetTrain: { images: tf.Tensor4D; labels: number[] };
let targetTest: { images: tf.Tensor4D; labels: number[] };

beforeAll(async () => {
  backend = await trainingBackend();
  targetTrain = mnistImages([5, 6, 7, 8, 9], 40, { size: SIZE });
  targetTest = mnistImages([5, 6, 7, 8, 9], 60, { size: SIZE, skip: 600 });
});
afterAll(() => {
  tf.dispose([targetTrain.images, targetTest.images]);
});

const small = { filters: 8, denseUnits: 32 };
const LONG = 400_000; // generous: conv training is ~30× slower if only the cpu backend can train conv layers

describe('train strategies on MNIST digits (develop 0–4, transfer to 5–9)', () => {
  it(
    'develop: trains the mnist-cnn source model on digits 0–4 and returns a backbone',
    async () => {
      const data = mnistImages([0, 1, 2, 3, 4], 200, { size: SIZE });
      const test = mnistImages([0, 1, 2, 3, 4], 60, { size: SIZE, skip: 700 });
      const before = tf.memory().numTensors;
      developed = await train(
        {
          strategy: 'develop',
          architecture: 'mnist-cnn',
          images: data.images,
          labels: data.labels,
          classNames: source,
          architectureOptions: small,
        },
        { epochs: 4, batchSize: 32, learningRate: 3e-3, seed: 1 },
      );
      backbone = developed.backbone!;
      const probs = developed.model.predict(test.images) as tf.Tensor;
      const acc = accuracy(probs, test.labels);
      probs.dispose();
      console.log(
        `[${backend}] develop: acc ${acc.toFixed(3)} in ${developed.seconds.toFixed(1)} s; cuts`,
        backbone.cuts.map((c) => c.name),
      );
      expect(acc).toBeGreaterThan(0.8);
      expect(backbone.name).toBe('mnist-cnn');
      expect(backbone.cuts.at(-1)!.name).toBe('features');
      expect(backbone.cuts.at(-1)!.outputShape).toEqual([5 * 5 * 8]);
      // new tensors = the source model's weights only
      expect(tf.memory().numTensors - before).toBe(developed.model.weights.length);
      tf.dispose([data.images, test.images]);
    },
    LONG,
  );

  it(
    'feature-extraction over the developed backbone transfers to digits 5–9',
    async () => {
      const features = backbone.model.predict(targetTrain.images) as tf.Tensor;
      const before = tf.memory().numTensors;
      const result = await train(
        { strategy: 'feature-extraction', features, labels: targetTrain.labels, classNames: target },
        { epochs: 20, batchSize: 16, learningRate: 1e-2, seed: 2 },
      );
      expect(tf.memory().numTensors - before).toBe(result.head.weights.length);
      const testFeatures = backbone.model.predict(targetTest.images) as tf.Tensor;
      const probs = result.model.predict(testFeatures) as tf.Tensor;
      const acc = accuracy(probs, targetTest.labels);
      console.log(`[${backend}] feature-extraction 5–9: acc ${acc.toFixed(3)}`);
      expect(acc).toBeGreaterThan(0.75);
      tf.dispose([features, testFeatures, probs]);
      result.head.dispose();
    },
    LONG,
  );

  it(
    'freeze-k trains the upper layers (lower LR) and a head over trunk activations',
    async () => {
      const cut = backbone.cuts.find((c) => c.name !== 'features' && c.outputShape.length === 3)!;
      const upperBefore = backbone.model.getLayer('conv2').getWeights()[0]!.dataSync().slice();
      const before = tf.memory().numTensors;
      const result = await train(
        {
          strategy: 'freeze-k',
          backbone,
          cut: cut.name,
          images: targetTrain.images,
          labels: targetTrain.labels,
          classNames: target,
        },
        { epochs: 10, batchSize: 16, learningRate: 1e-2, pretrainedLrScale: 0.1, seed: 3 },
      );
      expect(tf.memory().numTensors - before).toBe(result.head.weights.length);
      expect(result.model.inputs[0]!.shape.slice(1)).toEqual(cut.outputShape);
      const probs = result.inference!.predict(targetTest.images) as tf.Tensor;
      const acc = accuracy(probs, targetTest.labels);
      probs.dispose();
      console.log(
        `[${backend}] freeze-k at ${cut.name}: acc ${acc.toFixed(3)} in ${result.seconds.toFixed(1)} s`,
      );
      expect(acc).toBeGreaterThan(0.75);
      const upperAfter = backbone.model.getLayer('conv2').getWeights()[0]!.dataSync();
      if (cut.index < backbone.model.layers.findIndex((l) => l.name === 'conv2')) {
        expect(Array.from(upperAfter)).not.toEqual(Array.from(upperBefore));
      }
      expect(result.hyperparameters.cut).toBe(cut.name);
    },
    LONG,
  );

  it(
    'fine-tune trains every layer from the pretrained weights',
    async () => {
      const conv1Before = backbone.model.getLayer('conv1').getWeights()[0]!.dataSync().slice();
      const before = tf.memory().numTensors;
      const result = await train(
        {
          strategy: 'fine-tune',
          backbone,
          images: targetTrain.images,
          labels: targetTrain.labels,
          classNames: target,
        },
        { epochs: 10, batchSize: 16, learningRate: 1e-2, seed: 4, augmentation: { shift: 0.05 } },
      );
      expect(tf.memory().numTensors - before).toBe(result.head.weights.length);
      const probs = result.model.predict(targetTest.images) as tf.Tensor;
      const acc = accuracy(probs, targetTest.labels);
      probs.dispose();
      console.log(`[${backend}] fine-tune: acc ${acc.toFixed(3)} in ${result.seconds.toFixed(1)} s`);
      expect(acc).toBeGreaterThan(0.75);
      const conv1After = backbone.model.getLayer('conv1').getWeights()[0]!.dataSync();
      expect(Array.from(conv1After)).not.toEqual(Array.from(conv1Before));
    },
    LONG,
  );

  it(
    'scratch re-initialises the architecture and trains it on images',
    async () => {
      const before = tf.memory().numTensors;
      const result = await train(
        {
          strategy: 'scratch',
          backbone,
          images: targetTrain.images,
          labels: targetTrain.labels,
          classNames: target,
        },
        { epochs: 15, batchSize: 16, learningRate: 3e-3, seed: 5, augmentation: { flip: false, zoom: 0.05 } },
      );
      const newWeights = result.model.weights.length;
      expect(tf.memory().numTensors - before).toBe(newWeights);
      expect(result.model.getLayer(result.model.layers[1]!.name)).not.toBe(backbone.model.layers[1]);
      const probs = result.model.predict(targetTest.images) as tf.Tensor;
      const acc = accuracy(probs, targetTest.labels);
      probs.dispose();
      console.log(`[${backend}] scratch: acc ${acc.toFixed(3)} in ${result.seconds.toFixed(1)} s`);
      expect(acc).toBeGreaterThan(0.5);
      result.model.dispose();
    },
    LONG,
  );
});
