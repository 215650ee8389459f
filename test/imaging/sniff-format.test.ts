import { sniffFormat } from '@graft/imaging';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

describe('sniffFormat', () => {
  it.each([
    ['photo-224.jpg', 'jpeg'],
    ['photo-progressive.jpg', 'jpeg'],
    ['rgba.png', 'png'],
    ['photo.webp', 'webp'],
    ['animated.webp', 'webp'],
    ['animation.jpg', 'gif'],
    ['document.jpg', 'pdf'],
    ['page.jpg', 'html'],
    ['text.jpg', 'text'],
    ['empty.jpg', 'empty'],
  ])('%s is %s by its bytes, whatever its name', (name, expected) => {
    expect(sniffFormat(fixture(name))).toBe(expected);
  });

  it('recognises other formats and random binary', () => {
    expect(sniffFormat(new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]))).toBe('tiff');
    expect(sniffFormat(new Uint8Array([0, 0, 0, 0x18, ...Buffer.from('ftypheic')]))).toBe('heif');
    expect(sniffFormat(new Uint8Array([0x00, 0xff, 0x13, 0x80, 0x01]))).toBe('unknown');
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBe('unknown');
    expect(sniffFormat(new TextEncoder().encode('café ☕ naïve'))).toBe('text');
    expect(sniffFormat(new TextEncoder().encode('\uFEFF  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(
      'html',
    );
  });
});
