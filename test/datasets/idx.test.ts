import { gzipSync } from 'node:zlib';
import { InvalidDatasetError, isGzip, parseIdx } from '@graft/datasets';
import { describe, expect, it } from 'vitest';

const header = (type: number, dims: number[]) => {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = type;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d);
  return out;
};
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('parseIdx', () => {
  it('parses dims and data, plain or gzip', () => {
    const file = concat(
      header(8, [2, 2, 3]),
      Uint8Array.from({ length: 12 }, (_, i) => i * 20),
    );
    for (const bytes of [file, new Uint8Array(gzipSync(file))]) {
      const { dims, data } = parseIdx(bytes);
      expect(dims).toEqual([2, 2, 3]);
      expect([...data]).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));
    }
    expect(isGzip(new Uint8Array(gzipSync(file)))).toBe(true);
    expect(isGzip(file)).toBe(false);
  });

  it.each([
    ['too short', Uint8Array.of(0, 0), /too short/],
    ['bad magic', concat(Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 1), Uint8Array.of(5)), /magic/],
    ['float data', concat(header(0x0d, [1]), new Uint8Array(4)), /0x0d \(float\) is not supported/],
    ['no dims', Uint8Array.of(0, 0, 8, 0), /no dimensions/],
    ['truncated header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /truncated IDX header/],
    [
      'truncated data',
      concat(header(8, [2, 4]), new Uint8Array(7)),
      /need 8 data bytes, file has 7 \(truncated\)/,
    ],
    ['trailing data', concat(header(8, [2]), new Uint8Array(3)), /trailing/],
    ['corrupt gzip', Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3), /corrupt gzip/],
  ])('rejects %s with InvalidDatasetError naming the file', (_name, bytes, message) => {
    expect(() => parseIdx(bytes, 'x-idx')).toThrow(InvalidDatasetError);
    expect(() => parseIdx(bytes, 'x-idx')).toThrow(message);
    expect(() => parseIdx(bytes, 'x-idx')).toThrow(/^x-idx: /);
  });
});
