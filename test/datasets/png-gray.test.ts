import { inflateSync } from 'node:zlib';
import { crc32, encodeGrayPng, InvalidDatasetError, loadMnistDigits } from '@graft/datasets';
import { describe, expect, it } from 'vitest';
import { decodePng } from './png-decode.js';

/** Gray channel of RGBA pixels; fails when a pixel is not gray or not opaque. */
function grayFromRgba(data: Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(data.length / 4);
  let bad = 0;
  for (let i = 0; i < out.length; i++) {
    const v = data[i * 4]!;
    if (data[i * 4 + 1] !== v || data[i * 4 + 2] !== v || data[i * 4 + 3] !== 255) bad++;
    out[i] = v;
  }
  expect(bad).toBe(0);
  return out;
}

/** Filter type byte of every row of a PNG produced by encodeGrayPng (single IDAT). */
function rowFilters(png: Uint8Array, width: number): number[] {
  const length = new DataView(png.buffer, png.byteOffset).getUint32(33);
  const raw = inflateSync(png.subarray(41, 41 + length));
  return Array.from({ length: raw.length / (width + 1) }, (_, y) => raw[y * (width + 1)]!);
}

describe('encodeGrayPng', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips MNIST digits through an independent PNG decoder (@jsquash/png)', async () => {
    const { images } = await loadMnistDigits({ perClass: 5 });
    for (const pixels of images) {
      const png = encodeGrayPng(pixels, 28, 28);
      const decoded = await decodePng(png);
      expect([decoded.width, decoded.height]).toEqual([28, 28]);
      expect(grayFromRgba(decoded.data)).toEqual(pixels);
    }
  });

  it('round-trips random, gradient and non-square images (every filter type gets exercised)', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    };
    const cases: [number, number, (x: number, y: number) => number][] = [
      [1, 1, () => 200],
      [31, 7, () => random()],
      [17, 40, (x, y) => (x * 7 + y * 3) & 0xff],
      [64, 3, (x, y) => (x * y) & 0xff],
    ];
    const filters = new Set<number>();
    for (const [width, height, f] of cases) {
      const pixels = new Uint8Array(width * height);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = f(x, y);
      const png = encodeGrayPng(pixels, width, height);
      for (const filter of rowFilters(png, width)) filters.add(filter);
      const decoded = await decodePng(png);
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      expect(grayFromRgba(decoded.data)).toEqual(pixels);
    }
    expect([...filters].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes a well-formed chunk stream with valid CRCs and a gray 8-bit header', () => {
    const png = encodeGrayPng(new Uint8Array(28 * 28).fill(9), 28, 28);
    const view = new DataView(png.buffer, png.byteOffset);
    let offset = 8;
    const types: string[] = [];
    while (offset < png.length) {
      const length = view.getUint32(offset);
      const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
      types.push(type);
      expect(view.getUint32(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
      if (type === 'IHDR') expect([...png.subarray(offset + 16, offset + 21)]).toEqual([8, 0, 0, 0, 0]);
      if (type === 'IDAT') {
        expect(inflateSync(png.subarray(offset + 8, offset + 8 + length)).length).toBe(28 * 29);
      }
      offset += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(offset).toBe(png.length);
  });

  it('rejects a pixel count that does not match the size', () => {
    expect(() => encodeGrayPng(new Uint8Array(10), 28, 28)).toThrow(InvalidDatasetError);
    expect(() => encodeGrayPng(new Uint8Array(0), 0, 0)).toThrow(InvalidDatasetError);
  });
});
