import {
  type DecodedImage,
  decodeImage,
  MOBILENET_V2_PREPROCESSING,
  toModelInput,
  toModelInputBatch,
} from '@graft/imaging';
import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

const solid = (width: number, height: number, rgb: number[]): DecodedImage => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return { width, height, data, format: 'png' };
};

/** 30×10: left third red, middle green, right third blue. */
const stripes = (): DecodedImage => {
  const img = solid(30, 10, [0, 0, 0]);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 30; x++)
      img.data.set(x < 10 ? [255, 0, 0] : x < 20 ? [0, 255, 0] : [0, 0, 255], (y * 30 + x) * 4);
  }
  return img;
};

beforeAll(async () => {
  await initBackend();
});

describe('toModelInput', () => {
  it('makes a float32 [size, size, 3] tensor in [-1, 1] for MobileNetV2', async () => {
    const image = await decodeImage(fixture('photo-640x480.jpg'));
    const x = toModelInput(image, { size: 224, preprocessing: MOBILENET_V2_PREPROCESSING });
    expect(x.shape).toEqual([224, 224, 3]);
    expect(x.dtype).toBe('float32');
    const [min, max] = [x.min().dataSync()[0]!, x.max().dataSync()[0]!];
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(1); // a real picture, not a constant
    x.dispose();
  });

  it('applies x * scale + offset exactly and drops alpha', () => {
    const x = toModelInput(solid(7, 5, [255, 0, 51]), { size: 4, preprocessing: MOBILENET_V2_PREPROCESSING });
    const values = x.reshape([16, 3]).arraySync() as number[][];
    for (const [r, g, b] of values) {
      expect(r).toBeCloseTo(1, 5);
      expect(g).toBeCloseTo(-1, 5);
      expect(b).toBeCloseTo(51 / 127.5 - 1, 5);
    }
    x.dispose();
    const unit = toModelInput(solid(2, 2, [255, 128, 0]), {
      size: 2,
      preprocessing: { scale: 1 / 255, offset: 0 },
    });
    expect(Array.from(unit.dataSync()).slice(0, 3)).toEqual([1, 128 / 255, 0].map(Math.fround));
    unit.dispose();
  });

  it("'squash' keeps the whole image; 'crop' keeps the centred square", () => {
    const spec = { size: 6, preprocessing: { scale: 1, offset: 0 } };
    const squash = toModelInput(stripes(), spec).arraySync() as number[][][];
    expect(squash[3]![0]).toEqual([255, 0, 0]); // left edge still red
    expect(squash[3]![5]).toEqual([0, 0, 255]); // right edge still blue
    const crop = toModelInput(stripes(), { ...spec, fit: 'crop' }).arraySync() as number[][][];
    for (const row of crop) for (const px of row) expect(px).toEqual([0, 255, 0]);
  });

  it('rejects malformed images and specs with typed errors', () => {
    const bad = { ...solid(2, 2, [0, 0, 0]), width: 3 };
    expect(() => toModelInput(bad, { size: 4, preprocessing: MOBILENET_V2_PREPROCESSING })).toThrow(
      expect.objectContaining({ code: 'invalid_image' }),
    );
    expect(() =>
      toModelInput(solid(2, 2, [0, 0, 0]), { size: 0, preprocessing: MOBILENET_V2_PREPROCESSING }),
    ).toThrow(expect.objectContaining({ code: 'invalid_image' }));
    expect(() => toModelInputBatch([], { size: 4, preprocessing: MOBILENET_V2_PREPROCESSING })).toThrow(
      expect.objectContaining({ code: 'invalid_image' }),
    );
  });

  it('batches images of different sizes into [n, size, size, 3]', async () => {
    const images = [
      await decodeImage(fixture('photo-224.jpg')),
      await decodeImage(fixture('wide-4000x10.jpg')),
    ];
    const batch = toModelInputBatch(images, {
      size: 96,
      preprocessing: MOBILENET_V2_PREPROCESSING,
      fit: 'crop',
    });
    expect(batch.shape).toEqual([2, 96, 96, 3]);
    const first = tf.tidy(() => batch.slice([0], [1]).squeeze([0]));
    const alone = toModelInput(images[0]!, {
      size: 96,
      preprocessing: MOBILENET_V2_PREPROCESSING,
      fit: 'crop',
    });
    expect(tf.tidy(() => first.sub(alone).abs().max().dataSync()[0])).toBe(0);
    tf.dispose([batch, first, alone]);
  });

  it('leaks no tensors over 50 calls', async () => {
    const image = await decodeImage(fixture('photo-224.jpg'));
    const spec = { size: 96, preprocessing: MOBILENET_V2_PREPROCESSING };
    toModelInput(image, spec).dispose(); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      const x = i % 2 ? toModelInput(image, { ...spec, fit: 'crop' }) : toModelInput(image, spec);
      x.dispose();
      toModelInputBatch([image, image], spec).dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
