/** Worker thread of `graft bench pipeline`'s raw baseline: the extractor's compiled trunk on a ready tensor. */
import { compileTrunk, loadBackbone, splitBackbone } from '@graft/core';
import { serveWorker } from '@graft/local-aws';
import { initBackend, tf } from '@graft/runtime';
import type { RawTrunkConfig, RawTrunkReply } from './raw-trunk.js';

await serveWorker<RawTrunkConfig, { iterations: number }, RawTrunkReply>(async (config) => {
  await initBackend();
  const backbone = await loadBackbone({ kind: 'default' }, { inputSize: config.inputSize });
  const { trunk, cut } = splitBackbone(backbone, config.cut);
  const compiled = compileTrunk(trunk);
  const x = tf.randomUniform([1, config.inputSize, config.inputSize, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const once = async () => {
    const out = compiled.predict(x);
    await out.data();
    out.dispose();
  };
  await once();
  return async ({ iterations }) => {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await once();
    return { ms: performance.now() - t0, featureKeyPrefix: `features/${backbone.id}/${cut.name}/` };
  };
});
