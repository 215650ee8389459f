import {
  CorruptImageError,
  DEFAULT_LIMITS,
  ImageTooLargeError,
  type ImagingError,
  parseExifOrientation,
  readHeader,
} from '@graft/imaging';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as ImagingError).code;
  }
  return undefined;
};

describe('readHeader', () => {
  it.each([
    ['photo-640x480.jpg', 'jpeg', 640, 480],
    ['photo-progressive.jpg', 'jpeg', 224, 224],
    ['wide-4000x10.jpg', 'jpeg', 4000, 10],
    ['tiny-1x1.jpg', 'jpeg', 1, 1],
    ['exif-orientation-6.jpg', 'jpeg', 64, 48],
    ['cmyk.jpg', 'jpeg', 64, 48],
    ['rgba.png', 'png', 64, 64],
    ['rgb16.png', 'png', 16, 16],
    ['palette.png', 'png', 16, 16],
    ['photo.webp', 'webp', 224, 224],
    ['alpha-lossless.webp', 'webp', 64, 64],
    ['animated.webp', 'webp', 32, 32],
    ['bomb-50000.png', 'png', 50_000, 50_000],
    ['bomb-50000.jpg', 'jpeg', 50_000, 50_000],
  ])('%s → %s %dx%d', (name, format, width, height) => {
    expect(readHeader(fixture(name))).toMatchObject({ format, width, height });
  });

  it('reports JPEG details: orientation, components, progressive', () => {
    expect(readHeader(fixture('exif-orientation-6.jpg')).orientation).toBe(6);
    expect(readHeader(fixture('photo-224.jpg'))).toMatchObject({
      orientation: 1,
      components: 3,
      progressive: false,
    });
    expect(readHeader(fixture('photo-progressive.jpg')).progressive).toBe(true);
    expect(readHeader(fixture('gray.jpg')).components).toBe(1);
    expect(readHeader(fixture('cmyk.jpg')).components).toBe(4);
    expect(readHeader(fixture('animated.webp')).animated).toBe(true);
    expect(readHeader(fixture('rgb16.png'))).toMatchObject({ bitDepth: 16, colorType: 2 });
  });

  it.each([
    ['empty.jpg', 'empty_image'],
    ['text.jpg', 'unsupported_format'],
    ['page.jpg', 'unsupported_format'],
    ['document.jpg', 'unsupported_format'],
    ['animation.jpg', 'unsupported_format'],
    ['truncated-header.png', 'corrupt_image'],
  ])('%s → %s', (name, code) => {
    expect(codeOf(() => readHeader(fixture(name)))).toBe(code);
  });

  it('rejects JPEGs cut before the frame header and PNGs whose first chunk is not IHDR', () => {
    const jpeg = fixture('photo-224.jpg');
    for (const cut of [3, 10, 40]) expect(() => readHeader(jpeg.subarray(0, cut))).toThrow(CorruptImageError);
    expect(codeOf(() => readHeader(jpeg.subarray(0, 2)))).toBe('unsupported_format'); // FF D8 alone: not a JPEG
    const png = fixture('rgba.png').slice();
    png[12] = 0x78; // 'IHDR' → 'xHDR'
    expect(() => readHeader(png)).toThrow(CorruptImageError);
  });

  it('rejects 50000×50000 bombs with ImageTooLargeError quickly, without allocating pixel memory', () => {
    for (const name of ['bomb-50000.png', 'bomb-50000.jpg']) {
      const bytes = fixture(name);
      const before = process.memoryUsage().rss;
      const start = performance.now();
      let error: unknown;
      try {
        readHeader(bytes, DEFAULT_LIMITS);
      } catch (e) {
        error = e;
      }
      expect(performance.now() - start).toBeLessThan(20);
      expect(process.memoryUsage().rss - before).toBeLessThan(16 * 1024 * 1024);
      expect(error).toBeInstanceOf(ImageTooLargeError);
      expect(error).toMatchObject({ code: 'image_too_large', width: 50_000, height: 50_000 });
    }
  });

  it('applies configurable byte and pixel limits', () => {
    const bytes = fixture('photo-640x480.jpg');
    expect(codeOf(() => readHeader(bytes, { maxPixels: 640 * 480 }))).toBeUndefined();
    expect(codeOf(() => readHeader(bytes, { maxPixels: 640 * 480 - 1 }))).toBe('image_too_large');
    expect(codeOf(() => readHeader(bytes, { maxBytes: bytes.length - 1 }))).toBe('image_too_large');
    expect(codeOf(() => readHeader(bytes, { maxBytes: bytes.length }))).toBeUndefined();
    expect(DEFAULT_LIMITS).toEqual({ maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 });
  });
});

describe('parseExifOrientation', () => {
  const exif = (order: 'II' | 'MM', value: number): Uint8Array => {
    const b = Buffer.alloc(6 + 26);
    b.write('Exif', 0, 'latin1');
    const le = order === 'II';
    const w16 = (v: number, at: number) => (le ? b.writeUInt16LE(v, 6 + at) : b.writeUInt16BE(v, 6 + at));
    const w32 = (v: number, at: number) => (le ? b.writeUInt32LE(v, 6 + at) : b.writeUInt32BE(v, 6 + at));
    b.write(order, 6, 'latin1');
    w16(42, 2);
    w32(8, 4);
    w16(1, 8);
    w16(0x0112, 10);
    w16(3, 12);
    w32(1, 14);
    w16(value, 18);
    return b;
  };

  it('reads the orientation in both byte orders and ignores invalid values', () => {
    for (let o = 1; o <= 8; o++) {
      expect(parseExifOrientation(exif('II', o))).toBe(o);
      expect(parseExifOrientation(exif('MM', o))).toBe(o);
    }
    expect(parseExifOrientation(exif('MM', 9))).toBe(1);
    expect(parseExifOrientation(exif('MM', 6).subarray(0, 20))).toBe(1);
    expect(parseExifOrientation(new Uint8Array(0))).toBe(1);
  });
});
