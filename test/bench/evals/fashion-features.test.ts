import { evals } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

const { run } = await evals['fashion-features']();

// A quick variant of `graft eval fashion-features`: real Fashion-MNIST images through the bundled trunk.
describe('eval fashion-features (quick variant)', () => {
  it("reads the cut and input size from the bundled backbone's metadata, taps the finer resolutions and leaks nothing", async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const result = await run({ train: '200', test: '60' }, () => {});
    expect(result).toMatchObject({
      backbone: 'mobilenet_v2',
      inputSize: 96,
      cut: 'block_13_expand_relu',
      defaults: { cut: 'block_13_expand_relu', inputSize: 96 },
      taps: ['block_3_expand_relu', 'block_6_expand_relu'],
      trainImages: 200,
      testImages: 60,
    });
    // 10 classes: chance is 0.1.
    expect(result.cutAlone).toBeGreaterThan(0.4);
    expect(result.withTaps).toBeGreaterThan(0.4);
    const other = await run(
      { train: '100', test: '30', cut: 'block_10_expand_relu', taps: 'none' },
      () => {},
    );
    expect(other).toMatchObject({ cut: 'block_10_expand_relu', taps: [] });
    expect(other.withTaps).toBeUndefined();
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
