import { tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backbone, loadBackbone } from '../../../packages/core/src/backbone/index.js';
import {
  advise,
  type Bundle,
  bundleFromFiles,
  bundleToFiles,
  createBundle,
  fingerprintDataset,
  fitTemperature,
  InvalidBundleError,
  loadBundle,
  measureSimilarity,
  saveBundle,
  type TrainResult,
  train,
} from '../../../packages/core/src/training/index.js';
import { trainingBackend } from './helpers/backend.js';
import { mnistImages } from './helpers/mnist.js';
import { naturalImages } from './helpers/natural.js';

const SIZE = 96;
let backbone: Backbone;
let images: tf.Tensor4D;
let labels: number[];
let result: TrainResult;
let bundle: Bundle;
const classNames = ['photo', 'digit'];

beforeAll(async () => {
  await trainingBackend();
  backbone = await loadBackbone(undefined, { inputSize: SIZE });
  const digits = mnistImages([0, 3, 7, 8], 4, { size: SIZE, channels: 3 });
  const photos = naturalImages(16, SIZE, 11);
  images = tf.tidy(() =>
    tf.add(
      tf.mul(tf.concat([photos, tf.mul(digits.images, 255)]), backbone.preprocessing.scale),
      backbone.preprocessing.offset,
    ),
  ) as tf.Tensor4D;
  labels = [...new Array(16).fill(0), ...new Array(16).fill(1)];
  tf.dispose([digits.images, photos]);
}, 300_000);
afterAll(() => {
  images?.dispose();
});

describe('bundle', () => {
  it('trains freeze-k at the advised cut of MobileNetV2 and bundles it', async () => {
    const similarity = await measureSimilarity(backbone, images);
    const advice = advise({ counts: [16, 16], similarity, backbone });
    // Few images and part digits: a small data set; the cut is wherever the advisor freezes for scenario 2.
    expect(advice.size).toBe('small');
    // 32 images cannot support retraining pretrained layers: a new pooled head replaces the upper layers.
    const cut = 'block_13_expand_relu';
    result = await train(
      { strategy: 'freeze-k', backbone, cut, upper: 'replace', images, labels, classNames },
      { epochs: 3, batchSize: 8, learningRate: 1e-3, seed: 9, head: { hidden: 16, dropout: 0.2 } },
    );
    const probs = result.inference!.predict(images) as tf.Tensor2D;
    const { temperature } = fitTemperature(probs, labels);
    probs.dispose();
    bundle = createBundle({
      backbone,
      result,
      labels: classNames,
      temperature,
      metrics: { trainAcc: result.history.at(-1)!.acc },
      datasetFingerprint: await fingerprintDataset(
        labels.map((l, i) => ({ sha256: `img${i}`, label: classNames[l]! })),
      ),
    });
    expect(bundle.meta).toMatchObject({
      formatVersion: 1,
      labels: classNames,
      input: { size: SIZE, channels: 3, preprocessing: backbone.preprocessing },
      backbone: { id: backbone.id, name: backbone.name },
      cut,
      strategy: 'freeze-k',
      temperature,
    });
    // The head reads the (unpooled) activations at the cut and pools them itself.
    expect(bundle.meta.backbone.featuresLayer).toBe(cut);
    expect(bundle.meta.hyperparameters).toMatchObject({ cut, upper: 'replace' });
    expect(bundle.meta.datasetFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bundle.meta.tfjsVersion).toMatch(/^\d+\.\d+/);
    expect(bundle.model.inputs[0]!.shape).toEqual([null, SIZE, SIZE, 3]);
  }, 300_000);

  it('round-trips through the registry files with identical predictions', async () => {
    const files = await bundleToFiles(bundle);
    expect(JSON.parse(files.graft)).toEqual(JSON.parse(JSON.stringify(bundle.meta)));
    expect(JSON.parse(files.modelJson).weightsManifest[0].paths).toEqual(['weights.bin']);
    const restored = await bundleFromFiles(files);
    const a = bundle.model.predict(images) as tf.Tensor;
    const b = restored.model.predict(images) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    restored.model.dispose();

    const served = await loadBundle(files);
    const calibrated = served.predict(images);
    const expected = tf.tidy(() => tf.softmax(tf.div(tf.log(a), bundle.meta.temperature)));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(calibrated, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-4); // the trunk runs compiled (BatchNorm folded): float rounding only
    const classes = await served.classify(images.slice(0, 2), { topK: 1, threshold: 0.5 });
    expect(classes).toHaveLength(2);
    expect(classes[0]!.top).toHaveLength(1);
    expect(classNames).toContain(classes[0]!.top[0]!.label);
    served.dispose();
    tf.dispose([a, b, calibrated, expected]);
  }, 120_000);

  it('saves and loads through a tfjs IOHandler and leaks nothing over 100 predictions or on dispose', async () => {
    let saved: tf.io.ModelArtifacts | undefined;
    await saveBundle(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      bundle,
    );
    const one = images.slice(0, 1);
    const beforeLoad = tf.memory().numTensors;
    const beforeBytes = tf.memory().numBytes;
    const served = await loadBundle(tf.io.fromMemory(saved!));
    expect(served.meta.cut).toBe(bundle.meta.cut);
    // Serving holds the compiled (folded) trunk, not the trunk's original weights beside it: less than the
    // saved weights themselves (folded copies of the trunk + the upper layers and head).
    const weightBytes = [saved!.weightData!].flat().reduce((sum, b) => sum + b.byteLength, 0);
    expect(tf.memory().numBytes - beforeBytes).toBeLessThan(weightBytes);
    served.predict(one).dispose(); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) served.predict(one).dispose();
    for (let i = 0; i < 5; i++) await served.classify(one);
    expect(tf.memory().numTensors).toBe(before);
    served.dispose();
    // Every weight of the loaded bundle is freed (the serving head and trunk share layers with the model).
    expect(tf.memory().numTensors).toBe(beforeLoad);
    one.dispose();
  }, 120_000);

  it('rejects broken bundles with typed errors', async () => {
    const files = await bundleToFiles(bundle);
    await expect(bundleFromFiles({ ...files, graft: '{"formatVersion":2}' })).rejects.toBeInstanceOf(
      InvalidBundleError,
    );
    await expect(bundleFromFiles({ modelJson: files.modelJson })).rejects.toMatchObject({
      code: 'invalid_bundle',
    });
    await expect(loadBundle({ ...files, modelJson: 'nope' })).rejects.toBeInstanceOf(InvalidBundleError);
    // A graft.json whose labels do not match the model's outputs is refused after the model loaded: its weights
    // are freed, not left behind.
    const before = tf.memory().numTensors;
    const graft = JSON.parse(files.graft);
    await expect(
      loadBundle({
        ...files,
        graft: JSON.stringify({ ...graft, labels: [...graft.labels, 'one-too-many'] }),
      }),
    ).rejects.toThrow(/outputs but graft\.json lists/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createBundle({ backbone, result, labels: ['only', 'three', 'labels'] })).toThrow(
      InvalidBundleError,
    );
  });
});
