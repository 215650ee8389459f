import { tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { backboneFromModel } from '../../../packages/core/src/backbone/index.js';
import {
  augmentBatch,
  InvalidTrainingInputError,
  InvalidTrainingOptionsError,
  mnistCnn,
  type ProgressEvent,
  resolveClassWeights,
  type TrainOptions,
  train,
} from '../../../packages/core/src/training/index.js';
import { improves, loopEarlyStopping } from '../../../packages/core/src/training/loop.js';
import {
  createOptimizer,
  learningRateOf,
  scaleLearningRate,
} from '../../../packages/core/src/training/optimizer.js';
import { trainingBackend } from './helpers/backend.js';
import { mnistImages } from './helpers/mnist.js';

const classNames = ['0', '1', '2'];

function features(perClass: number, skip = 0) {
  const { images, labels } = mnistImages([0, 1, 2], perClass, { size: 10, skip });
  const x = tf.tidy(() => images.reshape([labels.length, 100]));
  images.dispose();
  return { x, labels };
}

/**
 * Trains a head on a tiny training set with a big learning rate (it over-fits within a few epochs), validated on
 * other digits; `options` add to or replace the defaults. `dispose()` frees the model and the data.
 */
async function overfitting(options: TrainOptions) {
  const data = features(8);
  const val = features(40, 300);
  const result = await train(
    { strategy: 'feature-extraction', features: data.x, labels: data.labels, classNames },
    {
      epochs: 200,
      batchSize: 8,
      learningRate: 0.1,
      head: { hidden: 64 },
      validation: { x: val.x, labels: val.labels },
      seed: 1,
      ...options,
    },
  );
  return {
    result,
    val,
    dispose: () => {
      result.model.dispose();
      tf.dispose([data.x, val.x]);
    },
  };
}

beforeAll(async () => {
  await trainingBackend();
});

describe('training loop', () => {
  it('early stopping by default stops on a rising validation loss and restores the best epoch', async () => {
    const { result, val, dispose } = await overfitting({ earlyStopping: { patience: 2 } });
    const valLosses = result.history.map((h) => h.valLoss!);
    const best = valLosses.indexOf(Math.min(...valLosses));
    expect(result.history.length).toBeLessThan(200);
    expect(result.history.length).toBe(best + 1 + 2); // patience 2: stops after 2 epochs without improvement
    expect(result.bestEpoch).toBe(best);
    expect(valLosses.at(-1)!).toBeGreaterThan(valLosses[best]!);
    // the model holds the best epoch's weights: its validation loss is the best one, not the last one
    const loss = tf.tidy(
      () =>
        tf.losses
          .softmaxCrossEntropy(
            tf.oneHot(tf.tensor1d(val.labels, 'int32'), 3),
            // clipped like the training loss (a saturated head predicts exact zeros)
            tf.log(tf.clipByValue(result.model.predict(val.x) as tf.Tensor, 1e-7, 1 - 1e-7)),
          )
          .dataSync()[0]!,
    );
    expect(loss).toBeCloseTo(valLosses[best]!, 4);
    dispose();
  });

  it("early stopping with monitor 'accuracy' keeps the epoch of best validation accuracy (ties to the lower loss)", async () => {
    const { result, val, dispose } = await overfitting({
      earlyStopping: { patience: 3, monitor: 'accuracy' },
    });
    const h = result.history;
    let best = 0;
    for (let i = 1; i < h.length; i++)
      if (
        h[i]!.valAcc! > h[best]!.valAcc! ||
        (h[i]!.valAcc === h[best]!.valAcc && h[i]!.valLoss! < h[best]!.valLoss!)
      )
        best = i;
    expect(result.bestEpoch).toBe(best);
    expect(h.length).toBeLessThan(200);
    expect(h.length).toBe(best + 1 + 3);
    const predicted = tf.tidy(() => (result.model.predict(val.x) as tf.Tensor).argMax(-1).dataSync());
    const accuracy = val.labels.filter((l, i) => predicted[i] === l).length / val.labels.length;
    expect(accuracy).toBeCloseTo(h[best]!.valAcc!, 6);
    dispose();
  });

  it('halves every learning rate after each 2 epochs in a row without a better epoch', async () => {
    const { result, dispose } = await overfitting({
      epochs: 40,
      earlyStopping: { patience: 6, monitor: 'accuracy' },
      reduceLearningRate: { patience: 2, factor: 0.5 },
    });
    const h = result.history;
    const es = loopEarlyStopping({ patience: 6, monitor: 'accuracy' });
    expect(h[0]!.learningRate).toBeCloseTo(0.1, 9);
    let best = h[0]!;
    let since = 0;
    let reductions = 0;
    // after epoch j: a new best resets the count; every 2nd epoch in a row without one halves the rate of epoch j + 1
    for (let j = 1; j + 1 < h.length; j++) {
      if (improves(h[j]!, best, es)) {
        best = h[j]!;
        since = 0;
      } else since++;
      const halved = since > 0 && since % 2 === 0;
      if (halved) reductions++;
      expect(h[j + 1]!.learningRate! / h[j]!.learningRate!).toBeCloseTo(halved ? 0.5 : 1, 9);
    }
    expect(reductions).toBeGreaterThan(0);
    dispose();
  });

  it('scales the learning rate of every optimizer', () => {
    for (const name of ['adam', 'sgd', 'rmsprop'] as const) {
      const opt = createOptimizer(name, 0.01);
      scaleLearningRate(opt, 0.2);
      expect(learningRateOf(opt)).toBeCloseTo(0.002, 12);
      opt.dispose();
    }
  });

  it('improves: accuracy first, then loss; loss alone with monitor loss; the training loss without validation', () => {
    const es = (monitor: 'accuracy' | 'loss', minDelta = 0) => ({ patience: 1, minDelta, monitor });
    const best = { loss: 0.3, acc: 0.8, valLoss: 0.5, valAcc: 0.9 };
    expect(improves({ ...best, valAcc: 0.91, valLoss: 0.9 }, best, es('accuracy'))).toBe(true);
    expect(improves({ ...best, valAcc: 0.91 }, best, es('accuracy', 0.02))).toBe(false);
    expect(improves({ ...best, valLoss: 0.4 }, best, es('accuracy'))).toBe(true);
    expect(improves({ ...best, valAcc: 0.89, valLoss: 0.1 }, best, es('accuracy'))).toBe(false);
    expect(improves({ ...best, valAcc: 0.99, valLoss: 0.6 }, best, es('loss'))).toBe(false);
    expect(improves({ ...best, valLoss: 0.4 }, best, es('loss'))).toBe(true);
    expect(improves({ loss: 0.2, acc: 0.9 }, { loss: 0.3, acc: 0.95 }, es('accuracy'))).toBe(true);
    expect(loopEarlyStopping({ patience: 2 })).toEqual({ patience: 2, minDelta: 0, monitor: 'loss' });
  });

  it('class weights change the loss; balanced weights on balanced data do not', async () => {
    const data = features(10);
    const firstLoss = async (classWeights?: 'balanced' | number[]) => {
      const events: ProgressEvent[] = [];
      const r = await train(
        { strategy: 'feature-extraction', features: data.x, labels: data.labels, classNames },
        { epochs: 1, batchSize: 30, seed: 4, ...(classWeights ? { classWeights } : {}) },
        (e) => events.push(e),
      );
      r.model.dispose();
      return events[0]!.loss;
    };
    const plain = await firstLoss();
    expect(await firstLoss('balanced')).toBeCloseTo(plain, 6);
    const weighted = await firstLoss([5, 1, 1]);
    expect(Math.abs(weighted - plain)).toBeGreaterThan(0.1);
    expect(resolveClassWeights('balanced', [0, 0, 0, 1], 2)).toEqual([4 / 6, 2]);
    tf.dispose(data.x);
  });

  it('is deterministic for a seed', async () => {
    const data = features(10);
    const run = async () => {
      const r = await train(
        { strategy: 'feature-extraction', features: data.x, labels: data.labels, classNames },
        { epochs: 3, batchSize: 8, seed: 11, validation: 0.2 },
      );
      r.model.dispose();
      return r.history;
    };
    expect(await run()).toEqual(await run());
    tf.dispose(data.x);
  });

  it('augments batches with flips, shifts and zooms', () => {
    const img = tf.tidy(() => tf.range(0, 16).reshape([1, 4, 4, 1]).tile([2, 1, 1, 1]) as tf.Tensor4D);
    const flipped = augmentBatch(img, { flip: true }, () => 0.1);
    expect(Array.from(flipped.dataSync())).toEqual(
      Array.from(tf.tidy(() => tf.image.flipLeftRight(img).dataSync())),
    );
    // rand = 0 → box [−0.25, 0.75]² → samples at −0.75, 0.25, 1.25, 2.25 (cropAndResize scales by side − 1);
    // the image is the ramp 4y + x, so bilinear samples are exact and outside points are 0
    const shifted = augmentBatch(img, { shift: 0.25 }, () => 0);
    const s = shifted.arraySync()[0]!;
    expect(s[0]![0]![0]).toBe(0);
    expect(s[1]![1]![0]).toBeCloseTo(4 * 0.25 + 0.25, 5);
    expect(s[2]![2]![0]).toBeCloseTo(4 * 1.25 + 1.25, 5);
    expect(s[3]![1]![0]).toBeCloseTo(4 * 2.25 + 0.25, 5);
    const same = augmentBatch(img, {}, Math.random);
    expect(Array.from(same.dataSync())).toEqual(Array.from(img.dataSync()));
    tf.dispose([img, flipped, shifted, same]);
  });

  it('stops at the time limit after a whole epoch, keeping the best weights', async () => {
    const data = features(8);
    const val = features(10, 300);
    const result = await train(
      { strategy: 'feature-extraction', features: data.x, labels: data.labels, classNames },
      {
        epochs: 50,
        batchSize: 8,
        validation: { x: val.x, labels: val.labels },
        earlyStopping: { patience: 50 },
        timeLimitSeconds: 0,
      },
    );
    expect(result.history).toHaveLength(1);
    expect(result.bestEpoch).toBe(0);
    await expect(
      train(
        { strategy: 'feature-extraction', features: data.x, labels: data.labels, classNames },
        { timeLimitSeconds: -1 },
      ),
    ).rejects.toMatchObject({ code: 'invalid_options' });
    result.model.dispose();
    tf.dispose([data.x, val.x]);
  });

  it('rejects bad options with typed errors', async () => {
    const x = tf.zeros([6, 4]);
    const base = {
      strategy: 'feature-extraction' as const,
      features: x,
      labels: [0, 1, 2, 0, 1, 2],
      classNames,
    };
    await expect(train(base, { epochs: 0 })).rejects.toBeInstanceOf(InvalidTrainingOptionsError);
    await expect(train(base, { learningRate: -1 })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(train(base, { validation: 1.5 })).rejects.toBeInstanceOf(InvalidTrainingOptionsError);
    await expect(train(base, { classWeights: [1, 2] })).rejects.toBeInstanceOf(InvalidTrainingOptionsError);
    await expect(
      train(base, { earlyStopping: { patience: 2, monitor: 'f1' as 'loss' } }),
    ).rejects.toBeInstanceOf(InvalidTrainingOptionsError);
    await expect(train(base, { reduceLearningRate: { patience: 0 } })).rejects.toBeInstanceOf(
      InvalidTrainingOptionsError,
    );
    await expect(train(base, { reduceLearningRate: { patience: 2, factor: 1 } })).rejects.toBeInstanceOf(
      InvalidTrainingOptionsError,
    );
    x.dispose();
  });

  it('rejects images that do not fit the backbone', async () => {
    const arch = mnistCnn({ inputSize: 8, channels: 1, filters: 2 });
    const backbone = backboneFromModel(arch.model, {
      name: 'tiny',
      featuresLayer: 'flatten',
      preprocessing: { scale: 1 / 255, offset: 0 },
      inputSize: 8,
    });
    const images = tf.zeros([2, 10, 10, 1]) as tf.Tensor4D;
    await expect(
      train({ strategy: 'scratch', backbone, images, labels: [0, 1], classNames: ['a', 'b'] }, { epochs: 1 }),
    ).rejects.toBeInstanceOf(InvalidTrainingInputError);
    await expect(
      train(
        { strategy: 'fine-tune', backbone, images, labels: [0, 1], classNames: ['a', 'b'] },
        { epochs: 1 },
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    images.dispose();
    arch.model.dispose();
  });
});
