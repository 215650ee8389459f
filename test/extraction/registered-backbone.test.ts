/**
 * Extraction on a registered backbone, on the real embedded S3: a data set's `graft.json` names a backbone added
 * to the bucket; its uploads' features land under that backbone's registry id. A data set naming a backbone
 * that is not registered (yet) is retried, never rejected, and extracts once the backbone is added.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackboneRegistry, sourceFromDir } from '@graft/backbones';
import { createExtractDeps, processObject } from '@graft/extraction';
import { createExtractHandler } from '@graft/fn-extract';
import { decodeImage, encodePng, toModelInput } from '@graft/imaging';
import { toSqsEvent } from '@graft/local-aws';
import { initBackend, tf } from '@graft/runtime';
import { decodeS3EventKey, FeatureStore, type S3EventRecordJson, sha256 } from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTinyCnn, TINY_PREPROCESSING, TINY_SIZE } from '../backbones/tiny-cnn.js';
import { startTestS3, type TestS3 } from '../storage/local-s3-fixture.js';

let s3: TestS3;
let root: string;
let model: tf.LayersModel;
let png: Uint8Array;
const events = new Map<string, S3EventRecordJson>();

beforeAll(async () => {
  await initBackend();
  s3 = await startTestS3('graft-extract-registered');
  s3.s3.onObjectCreated((record) => {
    events.set(decodeS3EventKey(record.s3.object.key), record);
  });
  root = await mkdtemp(path.join(tmpdir(), 'graft-extract-registered-'));
  model = await saveTinyCnn(path.join(root, 'tiny'), 1);
  const data = new Uint8ClampedArray(20 * 20 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
  png = await encodePng({ width: 20, height: 20, data });
});

/** A data set's graft.json on a backbone at the tiny model's size. */
const datasetConfig = (backbone: string, cut: string) =>
  JSON.stringify({ backbone, inputSize: TINY_SIZE, cut, createdAt: new Date().toISOString() });

afterAll(async () => {
  model?.dispose();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

describe('extraction on a registered backbone', () => {
  it('writes features under the registered id at the data set’s cut, equal to the source model’s activations', async () => {
    await new BackboneRegistry(s3.store).add({
      id: 'tiny',
      ...(await sourceFromDir(path.join(root, 'tiny'))),
    });
    await s3.store.put('datasets/shapes/graft.json', datasetConfig('tiny', 'conv1'));
    await s3.store.put('datasets/shapes/train/a/one.png', png);
    const deps = createExtractDeps(s3.store);

    const outcome = await processObject('datasets/shapes/train/a/one.png', deps);
    const sha = await sha256(png);
    expect(outcome).toMatchObject({ kind: 'extracted', featureKey: `features/tiny-16/conv1/${sha}.bin` });
    const stored = await new FeatureStore(s3.store).get({ backboneId: 'tiny-16', cut: 'conv1', sha256: sha });
    expect(stored.shape).toEqual([16, 16, 8]);

    const image = await decodeImage(png);
    const expected = tf.tidy(() => {
      const conv1 = tf.model({
        inputs: model.inputs,
        outputs: model.getLayer('conv1').output as tf.SymbolicTensor,
      });
      const rgb = toModelInput(image, { size: TINY_SIZE, preprocessing: TINY_PREPROCESSING });
      return (conv1.predict(rgb.expandDims(0)) as tf.Tensor).dataSync();
    });
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(stored.data[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
    expect(worst).toBeLessThan(2e-3); // stored as float16

    const tensors = tf.memory().numTensors;
    await s3.store.put('datasets/shapes/val/a/two.png', png.slice());
    expect((await processObject('datasets/shapes/val/a/two.png', deps)).kind).toBe('duplicate');
    await s3.store.put(
      'datasets/shapes/val/a/three.png',
      await encodePng({ width: 9, height: 9, data: new Uint8ClampedArray(324).fill(200) }),
    );
    expect((await processObject('datasets/shapes/val/a/three.png', deps)).kind).toBe('extracted');
    expect(tf.memory().numTensors).toBe(tensors); // inference leaves nothing behind
    await deps.extractors.dispose?.();
    expect(tf.memory().numTensors).toBeLessThan(tensors); // the compiled trunk is freed
  });

  it('retries uploads of a data set whose backbone is not registered, then extracts them once it is', async () => {
    await s3.store.put('datasets/waiting/graft.json', datasetConfig('later', 'pool1'));
    await s3.store.put('datasets/waiting/b/one.png', png);
    await s3.s3.drainEvents();
    const logs: Record<string, unknown>[] = [];
    const handle = createExtractHandler(createExtractDeps(s3.store), (e) => logs.push(e));
    const record = events.get('datasets/waiting/b/one.png')!;
    const sqs = toSqsEvent([
      { messageId: 'm-1', body: JSON.stringify({ Records: [record] }), receiveCount: 1 },
    ]);

    expect(await handle(sqs)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(String(logs[0]?.error)).toContain("backbone 'later' is not registered");
    const rejects = [];
    for await (const info of s3.store.list('rejects/')) rejects.push(info.key);
    expect(rejects).toEqual([]); // not rejected: the upload is kept for the retry

    await new BackboneRegistry(s3.store).add({
      id: 'later',
      ...(await sourceFromDir(path.join(root, 'tiny'))),
    });
    expect(await handle(sqs)).toEqual({ batchItemFailures: [] });
    expect(logs.at(-1)).toMatchObject({
      msg: 'extracted',
      featureKey: `features/later-16/pool1/${await sha256(png)}.bin`,
    });
  });
});
