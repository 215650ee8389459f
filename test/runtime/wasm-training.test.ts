import { buildMnistCnn, mnistTensors, readMnistDigits } from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', env: {} });
});

function numDataIds(): number {
  return tf.engine().backend.numDataIds();
}

async function fitLosses(
  model: tf.LayersModel,
  xs: tf.Tensor,
  ys: tf.Tensor,
  epochs: number,
  batchSize: number,
) {
  const h = await model.fit(xs, ys, { epochs, batchSize, shuffle: true, verbose: 0 });
  return h.history.loss as number[];
}

describe('training conv nets on wasm', () => {
  it('fits the Keras MNIST CNN on real digits: loss falls, nothing leaks', async () => {
    const { xs, ys } = mnistTensors(await readMnistDigits(10)); // 100 real digits
    const model = buildMnistCnn();
    // warm-up epoch creates the optimizer slots (they live as long as the model)
    await model.fit(xs.slice(0, 4), ys.slice(0, 4), { epochs: 1, batchSize: 4, verbose: 0 });
    const [tensors, buffers] = [tf.memory().numTensors, numDataIds()];
    const losses = await fitLosses(model, xs, ys, 4, 20);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(numDataIds()).toBe(buffers);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.7);
    const acc = tf.tidy(() => model.evaluate(xs, ys, { batchSize: 50 }) as tf.Scalar[]);
    expect((await acc[1]?.data())?.[0]).toBeGreaterThan(0.5);
    tf.dispose([...acc, xs, ys]);
    model.dispose();
  });

  it('trains a MobileNetV2-like inverted residual block (depthwise stride 1 and 2)', async () => {
    const bnRelu6 = (t: tf.SymbolicTensor) =>
      tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.batchNormalization().apply(t)) as tf.SymbolicTensor;
    const block = (t: tf.SymbolicTensor, inC: number, outC: number, stride: number) => {
      let h = bnRelu6(
        tf.layers.conv2d({ filters: inC * 6, kernelSize: 1, useBias: false }).apply(t) as tf.SymbolicTensor,
      );
      h = bnRelu6(
        tf.layers
          .depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false })
          .apply(h) as tf.SymbolicTensor,
      );
      h = tf.layers
        .batchNormalization()
        .apply(
          tf.layers.conv2d({ filters: outC, kernelSize: 1, useBias: false }).apply(h),
        ) as tf.SymbolicTensor;
      return stride === 1 && inC === outC ? (tf.layers.add().apply([t, h]) as tf.SymbolicTensor) : h;
    };
    const input = tf.input({ shape: [16, 16, 8] });
    let h = block(input, 8, 8, 1);
    h = block(h, 8, 16, 2);
    const pooled = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });

    // three learnable classes: per-class mean pattern plus noise
    const n = 48;
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const [xs, ys] = tf.tidy(() => {
      const patterns = tf.randomNormal([3, 16, 16, 8], 0, 1, 'float32', 7);
      const idx = tf.tensor1d(labels, 'int32');
      const x = tf.gather(patterns, idx).add(tf.randomNormal([n, 16, 16, 8], 0, 0.5, 'float32', 8));
      return [x, tf.oneHot(idx, 3).toFloat()];
    });
    await model.fit(xs.slice(0, 2), ys.slice(0, 2), { epochs: 1, batchSize: 2, verbose: 0 });
    const [tensors, buffers] = [tf.memory().numTensors, numDataIds()];
    const depthwise = model.layers.filter((l) => l.getClassName() === 'DepthwiseConv2D');
    const before = depthwise.map((l) => l.getWeights()[0]?.dataSync().slice() as Float32Array);
    const losses = await fitLosses(model, xs as tf.Tensor, ys as tf.Tensor, 8, 16);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(numDataIds()).toBe(buffers);
    expect(losses.at(-1) as number).toBeLessThan((losses[0] as number) * 0.5);
    // the depthwise filters really were updated by their gradients
    depthwise.forEach((l, i) => {
      const after = l.getWeights()[0]?.dataSync() as Float32Array;
      expect(after.some((v, j) => v !== before[i]?.[j])).toBe(true);
    });
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
