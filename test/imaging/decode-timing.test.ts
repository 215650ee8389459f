import { decodeImage } from '@graft/imaging';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

describe('decode timing', () => {
  it('decodes the 640×480 JPEG in under 1 s (median of 20; logs the number)', async () => {
    const bytes = fixture('photo-640x480.jpg');
    await decodeImage(bytes); // compile + warm up the codec
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      await decodeImage(bytes);
      times.push(performance.now() - start);
    }
    const ms = median(times);
    console.log(`decodeImage photo-640x480.jpg (${bytes.length} B): median ${ms.toFixed(1)} ms of 20`);
    expect(ms).toBeLessThan(1000); // loose: the 2-core machine is shared; catches hangs and gross regressions
  });
});
