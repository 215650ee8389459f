import { decodeImage, encodePng, readHeader, sniffFormat } from '@graft/imaging';
import { describe, expect, it } from 'vitest';

describe('encodePng', () => {
  it('round-trips RGBA exactly', async () => {
    const data = new Uint8ClampedArray(5 * 3 * 4).map((_, i) => (i * 37) % 256);
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const png = await encodePng({ width: 5, height: 3, data });
    expect(sniffFormat(png)).toBe('png');
    expect(readHeader(png)).toMatchObject({ width: 5, height: 3 });
    const back = await decodeImage(png);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('encodes gray (1 byte/pixel) and RGB (3), e.g. a 28×28 MNIST digit', async () => {
    const digit = new Uint8Array(28 * 28).map((_, i) => (i * 7) % 256);
    const back = await decodeImage(await encodePng({ width: 28, height: 28, data: digit }));
    for (let i = 0; i < 28 * 28; i++) {
      expect([back.data[i * 4], back.data[i * 4 + 1], back.data[i * 4 + 2], back.data[i * 4 + 3]]).toEqual([
        digit[i],
        digit[i],
        digit[i],
        255,
      ]);
    }
    const rgb = await decodeImage(
      await encodePng({ width: 1, height: 2, data: new Uint8Array([1, 2, 3, 4, 5, 6]) }),
    );
    expect(Array.from(rgb.data)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('rejects data whose length matches no channel count', async () => {
    await expect(encodePng({ width: 2, height: 2, data: new Uint8Array(5) })).rejects.toMatchObject({
      code: 'invalid_image',
    });
    await expect(encodePng({ width: 0, height: 2, data: new Uint8Array(0) })).rejects.toMatchObject({
      code: 'invalid_image',
    });
  });
});
