import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tf } from '@graft/runtime';

const require = createRequire(import.meta.url);
const dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src/digits');
const cache = new Map<number, Float32Array>();

function digitData(d: number): Float32Array {
  let data = cache.get(d);
  if (!data) {
    data = Float32Array.from(
      (JSON.parse(readFileSync(path.join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data,
    );
    cache.set(d, data);
  }
  return data;
}

/**
 * `perClass` MNIST digits of each class in `digits` (from offset `skip`), as `[n, size, size, channels]` in [0, 1]
 * with labels `0..digits.length-1`.
 */
export function mnistImages(
  digits: number[],
  perClass: number,
  opts: { size?: number; channels?: number; skip?: number } = {},
): { images: tf.Tensor4D; labels: number[] } {
  const size = opts.size ?? 28;
  const channels = opts.channels ?? 1;
  const skip = opts.skip ?? 0;
  const buf = new Float32Array(digits.length * perClass * 784);
  const labels: number[] = [];
  digits.forEach((d, k) => {
    const data = digitData(d);
    buf.set(data.subarray(skip * 784, (skip + perClass) * 784), k * perClass * 784);
    for (let i = 0; i < perClass; i++) labels.push(k);
  });
  const images = tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(buf, [digits.length * perClass, 28, 28, 1]);
    if (size !== 28) x = tf.image.resizeBilinear(x, [size, size]);
    if (channels !== 1) x = tf.tile(x, [1, 1, 1, channels]);
    return x;
  });
  return { images, labels };
}
