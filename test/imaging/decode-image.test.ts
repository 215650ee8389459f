import { readFileSync } from 'node:fs';
import {
  CorruptImageError,
  type DecodedImage,
  decodeImage,
  ImageTooLargeError,
  type ImagingError,
  UnsupportedFormatError,
} from '@graft/imaging';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

const pixel = (img: DecodedImage, x: number, y: number): number[] => {
  const i = (y * img.width + x) * 4;
  return [...img.data.subarray(i, i + 4)];
};
const near = (actual: number[], expected: number[], tolerance = 12) =>
  expect(
    actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance),
    `${actual} ≈ ${expected}`,
  ).toBe(true);
const codeOf = async (bytes: Uint8Array, limits?: object): Promise<string | undefined> =>
  decodeImage(bytes, limits).then(
    () => undefined,
    (e: ImagingError) => e.code,
  );

describe('decodeImage: valid fixtures', () => {
  it.each([
    ['photo-224.jpg', 'jpeg', 224, 224],
    ['photo-640x480.jpg', 'jpeg', 640, 480],
    ['photo-progressive.jpg', 'jpeg', 224, 224],
    ['gray.jpg', 'jpeg', 64, 48],
    ['tiny-1x1.jpg', 'jpeg', 1, 1],
    ['wide-4000x10.jpg', 'jpeg', 4000, 10],
    ['rgba.png', 'png', 64, 64],
    ['gray.png', 'png', 32, 32],
    ['gray-alpha.png', 'png', 8, 8],
    ['palette.png', 'png', 16, 16],
    ['rgb16.png', 'png', 16, 16],
    ['tiny-1x1.png', 'png', 1, 1],
    ['photo.webp', 'webp', 224, 224],
    ['alpha-lossless.webp', 'webp', 64, 64],
    ['animated.webp', 'webp', 32, 32],
  ])('%s → %s %dx%d RGBA', async (name, format, width, height) => {
    const img = await decodeImage(fixture(name));
    expect(img).toMatchObject({ format, width, height });
    expect(img.data).toBeInstanceOf(Uint8ClampedArray);
    expect(img.data.length).toBe(width * height * 4);
  });

  it('decodes a CMYK JPEG (Adobe, inverted, as Photoshop writes it) to the photo’s colours', async () => {
    const cmyk = await decodeImage(fixture('cmyk.jpg'));
    expect(cmyk).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    expect(cmyk.data).toBeInstanceOf(Uint8ClampedArray);
    near(pixel(cmyk, 48, 12), [250, 210, 60, 255], 24); // sun centre at (0.75, 0.25)
    near(pixel(cmyk, 20, 26), [170, 60, 50, 255], 24); // house wall
    near(pixel(cmyk, 4, 4), [95, 158, 237, 255], 24); // sky
  });

  it('refuses a CMYK JPEG over 8 MP from its header (jpeg-js would hold ~40 bytes per pixel)', async () => {
    const big = Buffer.from(fixture('cmyk.jpg'));
    const sof = big.indexOf(Buffer.from([0xff, 0xc0]));
    big.writeUInt16BE(3000, sof + 5);
    big.writeUInt16BE(4000, sof + 7);
    await expect(decodeImage(new Uint8Array(big))).rejects.toMatchObject({
      code: 'image_too_large',
      message: expect.stringMatching(/CMYK .*save it as RGB or smaller/),
    });
  });

  it('refuses a 4-component JPEG that does not say it is CMYK, and a CMYK one cut short', async () => {
    const noAdobe = new Uint8Array(
      readFileSync(new URL('../fixtures/bad-inputs/cmyk-no-adobe.jpg', import.meta.url)),
    );
    await expect(decodeImage(noAdobe)).rejects.toMatchObject({
      name: 'UnsupportedFormatError',
      code: 'unsupported_format',
      detected: 'jpeg-cmyk',
    });
    const cmyk = fixture('cmyk.jpg');
    expect(await codeOf(cmyk.subarray(0, Math.floor(cmyk.length * 0.7)))).toBe('corrupt_image');
  });

  it('decodes the photo to the colours it was generated with (sky top-left, sun, house)', async () => {
    for (const name of ['photo-224.jpg', 'photo-progressive.jpg', 'photo.webp']) {
      const img = await decodeImage(fixture(name));
      near(pixel(img, 168, 56), [250, 210, 60, 255], 20); // sun centre at (0.75, 0.25)
      near(pixel(img, 72, 120), [170, 60, 50, 255], 24); // house wall
    }
    const progressive = await decodeImage(fixture('photo-progressive.jpg'));
    const baseline = await decodeImage(fixture('photo-224.jpg'));
    let diff = 0;
    for (let i = 0; i < baseline.data.length; i++) diff += Math.abs(baseline.data[i]! - progressive.data[i]!);
    expect(diff / baseline.data.length).toBeLessThan(3);
  });

  it('handles gray, gray+alpha, palette (with tRNS), 16-bit and 1×1 PNGs', async () => {
    const gray = await decodeImage(fixture('gray.png'));
    expect(pixel(gray, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(gray, 31, 5)).toEqual([248, 248, 248, 255]);
    const grayAlpha = await decodeImage(fixture('gray-alpha.png'));
    expect(pixel(grayAlpha, 3, 0)).toEqual([40, 40, 40, 255]); // opaque row
    expect(pixel(grayAlpha, 3, 4)).toEqual([255, 255, 255, 255]); // transparent → white
    const palette = await decodeImage(fixture('palette.png'));
    expect(pixel(palette, 0, 0)).toEqual([255, 0, 0, 255]); // index 0
    expect(pixel(palette, 0, 1)).toEqual([0, 255, 0, 255]); // index 1
    expect(pixel(palette, 0, 3)).toEqual([255, 255, 255, 255]); // index 3, fully transparent → white
    const deep = await decodeImage(fixture('rgb16.png'));
    expect(pixel(deep, 0, 0)).toEqual([255, 0, 128, 255]);
    expect(pixel(deep, 15, 0)).toEqual([255, 255, 128, 255]);
    expect(pixel(await decodeImage(fixture('tiny-1x1.png')), 0, 0)).toEqual([10, 200, 30, 255]);
    near(pixel(await decodeImage(fixture('tiny-1x1.jpg')), 0, 0), [200, 40, 40, 255]);
  });

  it('composites alpha onto white by default and keeps it with keepAlpha', async () => {
    for (const name of ['rgba.png', 'alpha-lossless.webp']) {
      const flat = await decodeImage(fixture(name));
      expect(pixel(flat, 0, 0)).toEqual([255, 255, 255, 255]); // alpha 0 → white
      expect(flat.data.every((v, i) => i % 4 !== 3 || v === 255)).toBe(true);
      const kept = await decodeImage(fixture(name), { keepAlpha: true });
      expect(pixel(kept, 0, 10)[3]).toBe(0);
      expect(pixel(kept, 63, 10)[3]).toBe(252);
      const [r, g, b] = pixel(kept, 32, 10);
      const a = 128 / 255;
      expect(pixel(flat, 32, 10)).toEqual(
        [r, g, b].map((c) => Math.round(c! * a + 255 * (1 - a))).concat(255),
      );
    }
  });

  it('takes the first frame of an animated WebP', async () => {
    const img = await decodeImage(fixture('animated.webp'));
    near(pixel(img, 16, 16), [220, 30, 30, 255]); // frame 1 is red, frame 2 blue
  });

  it('returns pixels the next decode does not overwrite (no view into WASM memory)', async () => {
    const first = await decodeImage(fixture('photo-224.jpg'));
    const copy = first.data.slice();
    await decodeImage(fixture('photo-640x480.jpg'));
    await decodeImage(fixture('rgba.png'));
    expect(Buffer.compare(Buffer.from(first.data), Buffer.from(copy))).toBe(0);
  });
});

describe('decodeImage: EXIF orientation', () => {
  it('orientation 6 rotates 90° clockwise: stored 64×48 becomes 48×64 with the corners moved', async () => {
    const img = await decodeImage(fixture('exif-orientation-6.jpg'));
    expect([img.width, img.height]).toEqual([48, 64]);
    // Stored corners: TL red, TR green, BL blue, BR white. After a clockwise turn:
    near(pixel(img, 4, 4), [0, 0, 255, 255]); // top-left ← stored bottom-left (blue)
    near(pixel(img, 43, 4), [255, 0, 0, 255]); // top-right ← stored top-left (red)
    near(pixel(img, 43, 59), [0, 255, 0, 255]); // bottom-right ← stored top-right (green)
    near(pixel(img, 4, 59), [255, 255, 255, 255]); // bottom-left ← stored bottom-right (white)
  });
});

describe('decodeImage: bad input', () => {
  it.each([
    ['empty.jpg', 'empty_image'],
    ['text.jpg', 'unsupported_format'],
    ['page.jpg', 'unsupported_format'],
    ['document.jpg', 'unsupported_format'],
    ['animation.jpg', 'unsupported_format'],
    ['truncated.jpg', 'corrupt_image'],
    ['truncated.png', 'corrupt_image'],
    ['truncated-header.png', 'corrupt_image'],
    ['bomb-50000.png', 'image_too_large'],
    ['bomb-50000.jpg', 'image_too_large'],
  ])('%s → %s', async (name, code) => {
    expect(await codeOf(fixture(name))).toBe(code);
  });

  it('names what it found', async () => {
    await expect(decodeImage(fixture('document.jpg'))).rejects.toMatchObject({ detected: 'pdf' });
    await expect(decodeImage(fixture('truncated.jpg'))).rejects.toThrow(/truncated/);
    await expect(decodeImage(fixture('bomb-50000.png'))).rejects.toBeInstanceOf(ImageTooLargeError);
    await expect(decodeImage(fixture('animation.jpg'))).rejects.toBeInstanceOf(UnsupportedFormatError);
    await expect(decodeImage(fixture('truncated.png'))).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('checks limits before decoding: a corrupt body over the limit is "too large", not "corrupt"', async () => {
    // truncated.jpg would fail in the decoder; a pixel limit below 224×224 must stop it first.
    expect(await codeOf(fixture('truncated.jpg'), { maxPixels: 224 * 224 - 1 })).toBe('image_too_large');
    expect(await codeOf(fixture('truncated.png'), { maxBytes: 100 })).toBe('image_too_large');
    expect(await codeOf(fixture('photo-640x480.jpg'), { maxPixels: 640 * 480 })).toBeUndefined();
  });

  it('rejects bombs fast', async () => {
    const start = performance.now();
    for (let i = 0; i < 20; i++) expect(await codeOf(fixture('bomb-50000.png'))).toBe('image_too_large');
    expect((performance.now() - start) / 20).toBeLessThan(5);
  });

  it('rejects non-Uint8Array input with a typed error', async () => {
    await expect(decodeImage('not bytes' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'invalid_image',
    });
  });
});
