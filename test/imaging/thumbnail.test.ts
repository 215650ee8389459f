import { describe, expect, it } from 'vitest';
import { decodeImage, ImagingError, thumbnail } from '../../packages/imaging/src/index.js';
import { fixture } from './fixtures.js';

const mean = (data: Uint8ClampedArray, channel: number) => {
  let sum = 0;
  for (let i = channel; i < data.length; i += 4) sum += data[i]!;
  return sum / (data.length / 4);
};

describe('thumbnail', () => {
  it('shrinks a 640×480 photo to a 160×120 JPEG with the same average colour', async () => {
    const bytes = fixture('photo-640x480.jpg');
    const thumb = await thumbnail(bytes);
    expect(thumb.contentType).toBe('image/jpeg');
    expect([thumb.width, thumb.height]).toEqual([160, 120]);
    expect(thumb.bytes.length).toBeLessThan(bytes.length / 4);
    const [big, small] = await Promise.all([decodeImage(bytes), decodeImage(thumb.bytes)]);
    expect([small.width, small.height]).toEqual([160, 120]);
    for (const c of [0, 1, 2]) expect(Math.abs(mean(small.data, c) - mean(big.data, c))).toBeLessThan(2);
  });

  it('keeps a very wide image at least one pixel high, and applies EXIF orientation', async () => {
    const wide = await thumbnail(fixture('wide-4000x10.jpg'), { maxSide: 100 });
    expect([wide.width, wide.height]).toEqual([100, 1]);
    const rotated = await decodeImage(fixture('exif-orientation-6.jpg'));
    const thumb = await thumbnail(fixture('exif-orientation-6.jpg'), { maxSide: 16 });
    // orientation 6 swaps width and height: the thumbnail keeps the displayed aspect
    expect(thumb.width > thumb.height).toBe(rotated.width > rotated.height);
  });

  it('returns small images unchanged, with their own media type', async () => {
    const png = fixture('gray.png');
    const same = await thumbnail(png, { maxSide: 4096 });
    expect(same.bytes).toBe(png);
    expect(same.contentType).toBe('image/png');
    const jpeg = await thumbnail(fixture('photo-224.jpg'), { maxSide: 224 });
    expect(jpeg.contentType).toBe('image/jpeg');
  });

  it('refuses what is not an image with the imaging error code', async () => {
    await expect(thumbnail(new TextEncoder().encode('not an image'))).rejects.toBeInstanceOf(ImagingError);
    await expect(thumbnail(fixture('photo-224.jpg'), { maxSide: 0 })).rejects.toThrow(RangeError);
  });
});
