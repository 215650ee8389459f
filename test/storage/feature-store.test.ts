import { createHash } from 'node:crypto';
import {
  CorruptDataError,
  decodeFeature,
  encodeFeature,
  FeatureStore,
  float16ToFloat32,
  float32ToFloat16,
  fromFloat16Bits,
  NotFoundError,
  sha256,
  toFloat16Bits,
} from '@graft/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from './local-s3-fixture.js';

describe('sha256', () => {
  it('matches node:crypto (Web Crypto underneath)', async () => {
    expect(await sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) & 255);
    expect(await sha256(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('float16', () => {
  it('converts exactly representable values and specials', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [2 ** -14, 0x0400],
      [2 ** -24, 0x0001],
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
    ];
    for (const [value, bits] of cases) {
      expect(toFloat16Bits(value), String(value)).toBe(bits);
      expect(Object.is(fromFloat16Bits(bits), value), String(value)).toBe(true);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true);
  });

  it('rounds to nearest, ties to even (normal, overflow and subnormal)', () => {
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even → 1
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even) → up
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie → even (0)
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 → 2
    expect(toFloat16Bits(2 ** -25 * 1.0001)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
  });

  it('agrees with an independent reference on every float16 value and midpoint', () => {
    // every half value round-trips; every midpoint between neighbours rounds to the even one
    for (let h = 0; h < 0x7c00; h++) {
      const v = fromFloat16Bits(h);
      expect(toFloat16Bits(v)).toBe(h);
      expect(toFloat16Bits(-v)).toBe(h | 0x8000);
      const mid = (v + fromFloat16Bits(h + 1)) / 2;
      if (Math.fround(mid) === mid) {
        const even = h % 2 === 0 ? h : h + 1;
        if (toFloat16Bits(mid) !== even) expect.fail(`midpoint after 0x${h.toString(16)}`);
      }
    }
  });

  it('keeps relative error ≤ 1e-3 for typical activations', () => {
    let seed = 1;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const values = new Float32Array(20_000).map(() => {
      const magnitude = 10 ** (rand() * 6 - 3); // 1e-3 .. 1e3, like ReLU6/BN outputs and logits
      return rand() < 0.5 ? -magnitude : magnitude;
    });
    const back = float16ToFloat32(float32ToFloat16(values));
    let worst = 0;
    for (let i = 0; i < values.length; i++) {
      worst = Math.max(worst, Math.abs(back[i]! - values[i]!) / Math.abs(values[i]!));
    }
    expect(worst).toBeLessThanOrEqual(1e-3);
    expect(worst).toBeGreaterThan(0); // it really is lossy
  });
});

describe('feature codec', () => {
  const feature = { shape: [2, 3, 4], data: new Float32Array(24).map((_, i) => (i - 12) / 7) };

  it('round-trips float32 exactly and float16 approximately', () => {
    const f32 = encodeFeature(feature);
    expect(f32.length).toBe(8 + 3 * 4 + 24 * 4);
    expect(new TextDecoder().decode(f32.subarray(0, 4))).toBe('GRFT');
    const back = decodeFeature(f32);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.dtype).toBe('float32');
    expect(Array.from(back.data)).toEqual(Array.from(feature.data));
    const f16 = encodeFeature(feature, 'float16');
    expect(f16.length).toBe(8 + 3 * 4 + 24 * 2);
    const half = decodeFeature(f16);
    expect(half.dtype).toBe('float16');
    half.data.forEach((v, i) => {
      expect(Math.abs(v - feature.data[i]!)).toBeLessThanOrEqual(Math.abs(feature.data[i]!) * 1e-3);
    });
    // decoding from an unaligned view works
    const padded = new Uint8Array(f32.length + 1);
    padded.set(f32, 1);
    expect(decodeFeature(padded.subarray(1)).data).toEqual(back.data);
  });

  it('rejects corrupt blobs and bad shapes', () => {
    const good = encodeFeature(feature);
    const bad = [
      good.subarray(0, 5),
      good.subarray(0, good.length - 1),
      new Uint8Array([...good]).fill(0, 0, 4),
    ];
    const wrongVersion = new Uint8Array(good);
    wrongVersion[4] = 9;
    bad.push(wrongVersion);
    for (const bytes of bad) expect(() => decodeFeature(bytes)).toThrow(CorruptDataError);
    expect(() => encodeFeature({ shape: [5], data: new Float32Array(4) })).toThrow(/holds 5 values/);
  });
});

describe('FeatureStore', () => {
  let t: TestS3;
  beforeAll(async () => {
    t = await startTestS3('features');
  });
  afterAll(async () => {
    await t.close();
  });

  it('puts, has and gets features content-addressed by image hash + backbone + cut', async () => {
    const features = new FeatureStore(t.store);
    const image = new TextEncoder().encode('pretend jpeg bytes');
    const ref = await FeatureStore.refFor(image, 'mobilenet_v2-96', 'block_10_project_BN');
    expect(ref.sha256).toBe(await sha256(image));
    expect(await features.has(ref)).toBe(false);
    await expect(features.get(ref)).rejects.toBeInstanceOf(NotFoundError);
    const data = new Float32Array(6 * 6 * 96).map((_, i) => Math.sin(i) * 6);
    const key = await features.put(ref, { shape: [6, 6, 96], data }, { dtype: 'float16' });
    expect(key).toBe(`features/mobilenet_v2-96/block_10_project_BN/${ref.sha256}.bin`);
    expect((await t.store.head(key))?.size).toBe(8 + 12 + data.length * 2);
    expect(await features.has(ref)).toBe(true);
    const back = await features.get(ref);
    expect(back.shape).toEqual([6, 6, 96]);
    let worst = 0;
    for (let i = 0; i < data.length; i++) {
      if (Math.abs(data[i]!) > 1e-3)
        worst = Math.max(worst, Math.abs(back.data[i]! - data[i]!) / Math.abs(data[i]!));
    }
    expect(worst).toBeLessThan(1e-3);
    // other cut → other address
    expect(await features.has({ ...ref, cut: 'out_relu' })).toBe(false);
  });
});
