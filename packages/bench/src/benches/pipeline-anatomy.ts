/**
 * Where one image's time goes in the extraction pipeline, step by step in one thread over a real local S3 server:
 * upload PUT, PUT → object-created event, GET, sha256, decode + resize, trunk, feature PUT.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileTrunk, disposeWeights, loadBackbone, splitBackbone } from '@graft/core';
import { decodeImage, toModelInput } from '@graft/imaging';
import { tf } from '@graft/runtime';
import { FeatureStore, S3BlobStore, sha256, startLocalS3 } from '@graft/storage';
import { median, round } from './bench-stats.js';

/** Median ms of each step for one image. */
export interface PipelineAnatomy {
  uploadPutMs: number;
  eventLatencyMs: number;
  getMs: number;
  sha256Ms: number;
  decodeMs: number;
  trunkMs: number;
  /** The extractor's `features.has` HEAD before extracting (dedupe). */
  featureHeadMs: number;
  featurePutMs: number;
  totalMs: number;
}

/**
 * Runs every step of upload → stored feature for each image, sequentially, and returns the median ms per step.
 *
 * @example
 * ```ts
 * const anatomy = await measureAnatomy(pngs, { inputSize: 96, cut: 'block_5_add' });
 * console.log(anatomy.trunkMs / anatomy.totalMs);
 * ```
 */
export async function measureAnatomy(
  images: Uint8Array[],
  config: { inputSize: number; cut: string },
): Promise<PipelineAnatomy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'graft-bench-anatomy-'));
  const s3 = await startLocalS3({ dir, bucket: 'anatomy' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  const features = new FeatureStore(store);
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: config.inputSize });
  const { trunk, cut } = splitBackbone(backbone, config.cut);
  const compiled = compileTrunk(trunk);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const unsubscribe = s3.onObjectCreated((record) => {
    const at = performance.now();
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const wake = waiting.get(key);
    if (wake) wake(at);
    else arrived.set(key, at);
  });
  const steps: Record<keyof PipelineAnatomy, number[]> = {
    uploadPutMs: [],
    eventLatencyMs: [],
    getMs: [],
    sha256Ms: [],
    decodeMs: [],
    trunkMs: [],
    featureHeadMs: [],
    featurePutMs: [],
    totalMs: [],
  };
  try {
    // The first image is untimed: it warms the codecs, the trunk and the HTTP connection.
    for (const [i, bytes] of images.entries()) {
      const key = `datasets/anatomy/train/x/${i}.png`;
      const eventAt = new Promise<number>((resolve) => {
        const seen = arrived.get(key);
        if (seen !== undefined) resolve(seen);
        else waiting.set(key, resolve);
      });
      const t0 = performance.now();
      await store.put(key, bytes, { contentType: 'image/png' });
      const t1 = performance.now();
      const t2 = await eventAt;
      const t3 = performance.now();
      const got = await store.get(key);
      const t4 = performance.now();
      const sha = await sha256(got);
      const ref = { backboneId: backbone.id, cut: cut.name, sha256: sha };
      const h0 = performance.now();
      if (await features.has(ref)) throw new Error(`anatomy image ${i} is a duplicate`);
      const h1 = performance.now();
      const t5 = performance.now();
      const image = await decodeImage(got);
      const input = tf.tidy(() =>
        toModelInput(image, { size: config.inputSize, preprocessing: backbone.preprocessing }).expandDims(0),
      ) as tf.Tensor4D;
      const t6 = performance.now();
      const out = compiled.predict(input);
      const data = (await out.data()) as Float32Array;
      const shape = out.shape.slice(1);
      tf.dispose([input, out]);
      const t7 = performance.now();
      await features.put(ref, { data, shape }, { dtype: 'float16' });
      const t8 = performance.now();
      if (i === 0) continue;
      steps.uploadPutMs.push(t1 - t0);
      steps.eventLatencyMs.push(Math.max(0, t2 - t1));
      steps.getMs.push(t4 - t3);
      steps.sha256Ms.push(h0 - t4);
      steps.featureHeadMs.push(h1 - h0);
      steps.decodeMs.push(t6 - t5);
      steps.trunkMs.push(t7 - t6);
      steps.featurePutMs.push(t8 - t7);
      steps.totalMs.push(t8 - t0);
    }
  } finally {
    unsubscribe();
    compiled.dispose();
    disposeWeights([backbone.model]);
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  }
  return Object.fromEntries(
    Object.entries(steps).map(([k, v]) => [k, round(median(v))]),
  ) as unknown as PipelineAnatomy;
}
