import { evalMnistTransfer } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

// A quick variant of `graft eval mnist-transfer` (the full run trains on every digit and takes minutes): it keeps
// the eval from rotting and checks that transfer beats chance and leaks nothing.
describe('eval mnist-transfer (quick variant)', () => {
  it('develops the CNN on digits 0–4 and transfers its frozen conv layers to digits 5–9', async () => {
    await initBackend();
    const before = tf.memory().numTensors;
    const result = await evalMnistTransfer({ perDigit: 40, sourceEpochs: 2, scratch: true });
    expect(result.backend).toBe('wasm');
    expect(result.sourceTrainImages).toBe(160);
    expect(result.targetTrainImages).toBe(160);
    expect(result.targetTestImages).toBe(40);
    expect(result.sourceAccuracy).toBeGreaterThan(0.5);
    expect(result.targetAccuracy).toBeGreaterThan(0.5);
    expect(result.scratchAccuracy).toBeGreaterThanOrEqual(0);
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);
});
