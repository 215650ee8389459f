import {
  compareKernelCase,
  type KernelCase,
  kernelCases,
  maxRelError,
  runKernelCase,
  seededValues,
} from '@graft/bench';
import { initBackend, tf } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';

const TOLERANCE = 1e-4;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', env: {} });
});

function numDataIds(): number {
  return tf.engine().backend.numDataIds();
}

describe('wasm training kernels vs the cpu backend', () => {
  const cases = kernelCases();

  it('covers the grid: strides 1/2, same/valid/explicit, k 1/3/5, batch 1/4, multiplier 1/2', () => {
    const names = cases.map((c) => c.name);
    for (const kernel of [
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
    ]) {
      for (const tag of ['s1 same k1 b1', 's2 valid k5 b4', 's2 same k3 b4']) {
        expect(names.some((n) => n.startsWith(`${kernel} ${tag}`))).toBe(true);
      }
    }
    // 2 strides × 2 paddings × 3 kernels × 2 batches × 2 depthwise kernels
    expect(names.filter((n) => n.includes(' m2')).length).toBe(48);
  });

  for (const kernel of [
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'BatchMatMul',
  ]) {
    it(`${kernel}: max relative error ≤ ${TOLERANCE} on every case`, async () => {
      let worst = 0;
      for (const c of cases.filter((k) => k.kernel === kernel)) {
        const { relError } = await compareKernelCase(c);
        expect(relError, c.name).toBeLessThanOrEqual(TOLERANCE);
        worst = Math.max(worst, relError);
      }
      expect(tf.getBackend()).toBe('wasm');
      // a real comparison happened: float32 sums in another order differ a little, not at all is suspicious
      expect(worst).toBeGreaterThan(0);
    });
  }

  it('frees every intermediate (no tensors, no wasm buffers left behind)', () => {
    const c = cases.find((k) =>
      k.name.startsWith('DepthwiseConv2dNativeBackpropFilter s2 same k3 b4 m2'),
    ) as KernelCase;
    runKernelCase(c);
    const [tensors, buffers] = [tf.memory().numTensors, numDataIds()];
    for (const k of cases.filter((x) => x.name.includes(' s2 same k3 b4'))) runKernelCase(k);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(numDataIds()).toBe(buffers);
  });

  it('rejects non-float32 inputs with a typed error', () => {
    const x = tf.zeros([1, 4, 4, 1], 'int32');
    const dy = tf.zeros([1, 4, 4, 1], 'int32');
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 1] },
        ),
    ).toThrow(/float32/);
    tf.dispose([x, dy]);
  });
});

/** Direct definition of the depthwise gradients (any dilation), as an independent reference. */
function depthwiseReference(
  x: Float32Array,
  dy: Float32Array,
  w: Float32Array,
  g: {
    b: number;
    h: number;
    wd: number;
    c: number;
    m: number;
    k: number;
    s: number;
    d: number;
    oh: number;
    ow: number;
  },
  top: number,
  left: number,
): { dx: Float32Array; dw: Float32Array } {
  const dx = new Float32Array(g.b * g.h * g.wd * g.c);
  const dw = new Float32Array(g.k * g.k * g.c * g.m);
  for (let b = 0; b < g.b; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ky = 0; ky < g.k; ky++)
          for (let kx = 0; kx < g.k; kx++) {
            const iy = oy * g.s + ky * g.d - top;
            const ix = ox * g.s + kx * g.d - left;
            if (iy < 0 || ix < 0 || iy >= g.h || ix >= g.wd) continue;
            for (let c = 0; c < g.c; c++)
              for (let m = 0; m < g.m; m++) {
                const dyv = dy[((b * g.oh + oy) * g.ow + ox) * g.c * g.m + c * g.m + m] as number;
                const xi = ((b * g.h + iy) * g.wd + ix) * g.c + c;
                const wi = ((ky * g.k + kx) * g.c + c) * g.m + m;
                dw[wi] = (dw[wi] as number) + (x[xi] as number) * dyv;
                dx[xi] = (dx[xi] as number) + (w[wi] as number) * dyv;
              }
          }
  return { dx, dw };
}

describe('depthwise gradients with dilation (the cpu backend ignores dilation here)', () => {
  for (const [s, d] of [
    [1, 2],
    [2, 2],
  ] as const) {
    it(`stride ${s}, dilation ${d}, 'same' and 'valid' match the direct definition`, () => {
      for (const pad of ['same', 'valid'] as const) {
        const g = { b: 2, h: 11, wd: 10, c: 3, m: 2, k: 3, s, d, oh: 0, ow: 0 };
        const info = tf.backend_util.computeConv2DInfo(
          [g.b, g.h, g.wd, g.c],
          [g.k, g.k, g.c, g.m],
          s,
          d,
          pad,
          undefined,
          true,
        );
        g.oh = info.outHeight;
        g.ow = info.outWidth;
        const x = seededValues(g.b * g.h * g.wd * g.c, 11);
        const dy = seededValues(g.b * g.oh * g.ow * g.c * g.m, 12);
        const w = seededValues(g.k * g.k * g.c * g.m, 13);
        const ref = depthwiseReference(x, dy, w, g, info.padInfo.top, info.padInfo.left);
        const [xt, dyt, wt] = [
          tf.tensor4d(x, [g.b, g.h, g.wd, g.c]),
          tf.tensor4d(dy, [g.b, g.oh, g.ow, g.c * g.m]),
          tf.tensor4d(w, [g.k, g.k, g.c, g.m]),
        ];
        const attrs = { strides: [s, s], dilations: [d, d], pad };
        const dw = tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: xt, dy: dyt },
          {
            ...attrs,
            filterShape: [g.k, g.k, g.c, g.m],
          },
        ) as tf.Tensor;
        const dx = tf.engine().runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: dyt, filter: wt },
          {
            ...attrs,
            inputShape: [g.b, g.h, g.wd, g.c],
          },
        ) as tf.Tensor;
        expect(maxRelError(dw.dataSync() as Float32Array, ref.dw), `dW ${pad}`).toBeLessThanOrEqual(
          TOLERANCE,
        );
        expect(maxRelError(dx.dataSync() as Float32Array, ref.dx), `dx ${pad}`).toBeLessThanOrEqual(
          TOLERANCE,
        );
        tf.dispose([xt, dyt, wt, dw, dx]);
      }
    });
  }
});
