/**
 * tfjs-layers' graph-executor caches keep every model they ran reachable (its layers and variables) until 100 newer
 * execution plans push it out; `disposeWeights` empties them, so a disposed model can be garbage-collected at once.
 */
import { disposeWeights } from '@graft/core';
import { initBackend, memorySample, releaseLayersGraphs, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

/**
 * Builds a small two-layer model, runs it once (which caches its execution plan) and returns it with a weak ref to
 * its last layer (what the plan holds: its symbolic tensors and their layers).
 */
function runOnce(): { ref: WeakRef<tf.layers.Layer>; model: tf.LayersModel } {
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 8, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 2 }).apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  tf.tidy(() => model.predict(tf.ones([1, 4])));
  return { ref: new WeakRef(model.layers.at(-1)!), model };
}

describe('releaseLayersGraphs', () => {
  it('a model freed with disposeWeights is collectable; without emptying the caches its layers stay reachable', async () => {
    const freed = (() => {
      const { ref, model } = runOnce();
      disposeWeights([model]);
      return ref;
    })();
    const kept = (() => {
      const { ref, model } = runOnce();
      for (const weight of model.weights) weight.dispose();
      return ref;
    })();
    // Let the stack frames go, then collect.
    await new Promise((resolve) => setTimeout(resolve, 0));
    memorySample({ collect: true });
    expect(freed.deref()).toBeUndefined();
    // The layers of the model whose weights were freed by hand are still held by the executor cache …
    expect(kept.deref()).toBeDefined();
    // … until the caches are emptied.
    releaseLayersGraphs();
    await new Promise((resolve) => setTimeout(resolve, 0));
    memorySample({ collect: true });
    expect(kept.deref()).toBeUndefined();
  });
});
