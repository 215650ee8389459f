import { tf } from '@graft/runtime';
import type { NamedAttrMap } from '@tensorflow/tfjs';

/** One kernel invocation to compare across backends; inputs are filled from a seeded PRNG. */
export interface KernelCase {
  name: string;
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: NamedAttrMap;
  seed: number;
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic uniform(-1, 1) values (mulberry32). */
export function seededValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
  return out;
}

function outSize(inSize: number, k: number, s: number, pad: Pad, axis: 1 | 2): number {
  if (pad === 'same') return Math.ceil(inSize / s);
  if (pad === 'valid') return Math.ceil((inSize - k + 1) / s);
  const [before, after] = pad[axis];
  return Math.floor((inSize + before + after - k) / s) + 1;
}

/**
 * The comparison grid: Conv2DBackpropFilter / Conv2DBackpropInput and the two depthwise gradients
 * over strides 1 and 2, padding same/valid (plus explicit pads), kernels 1×1/3×3/5×5, batch 1 and
 * 4, channel multiplier 1 and 2; plus transposed and batched BatchMatMul.
 *
 * @example
 * ```ts
 * for (const c of kernelCases()) console.log(c.name);
 * ```
 */
export function kernelCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  let seed = 1;
  const [h, w, ci, co] = [9, 8, 3, 5];
  const pads: Pad[] = [
    'same',
    'valid',
    [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  ];
  for (const s of [1, 2]) {
    for (const pad of pads) {
      for (const k of [1, 3, 5]) {
        for (const b of [1, 4]) {
          const oh = outSize(h, k, s, pad, 1);
          const ow = outSize(w, k, s, pad, 2);
          const p = typeof pad === 'string' ? pad : 'explicit';
          const tag = `s${s} ${p} k${k} b${b}`;
          const strides = [s, s];
          cases.push({
            name: `Conv2DBackpropFilter ${tag}`,
            kernel: 'Conv2DBackpropFilter',
            inputs: { x: [b, h, w, ci], dy: [b, oh, ow, co] },
            attrs: { strides, pad, dataFormat: 'NHWC', filterShape: [k, k, ci, co] },
            seed: seed++,
          });
          cases.push({
            name: `Conv2DBackpropInput ${tag}`,
            kernel: 'Conv2DBackpropInput',
            inputs: { dy: [b, oh, ow, co], filter: [k, k, ci, co] },
            attrs: { strides, pad, dataFormat: 'NHWC', inputShape: [b, h, w, ci] },
            seed: seed++,
          });
          if (typeof pad !== 'string') continue;
          for (const m of [1, 2]) {
            const dw = { strides, pad, dilations: [1, 1] };
            cases.push({
              name: `DepthwiseConv2dNativeBackpropFilter ${tag} m${m}`,
              kernel: 'DepthwiseConv2dNativeBackpropFilter',
              inputs: { x: [b, h, w, ci], dy: [b, oh, ow, ci * m] },
              attrs: { ...dw, filterShape: [k, k, ci, m] },
              seed: seed++,
            });
            cases.push({
              name: `DepthwiseConv2dNativeBackpropInput ${tag} m${m}`,
              kernel: 'DepthwiseConv2dNativeBackpropInput',
              inputs: { dy: [b, oh, ow, ci * m], filter: [k, k, ci, m] },
              attrs: { ...dw, inputShape: [b, h, w, ci] },
              seed: seed++,
            });
          }
        }
      }
    }
  }
  for (const [ta, tb] of [
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    cases.push({
      name: `BatchMatMul tA=${ta} tB=${tb}`,
      kernel: 'BatchMatMul',
      inputs: { a: ta ? [70, 40] : [40, 70], b: tb ? [50, 70] : [70, 50] },
      attrs: { transposeA: ta, transposeB: tb },
      seed: seed++,
    });
  }
  cases.push({
    name: 'BatchMatMul dense dX (8×64 · 600×64ᵀ, computed as Cᵀ)',
    kernel: 'BatchMatMul',
    inputs: { a: [8, 64], b: [600, 64] },
    attrs: { transposeA: false, transposeB: true },
    seed: seed++,
  });
  cases.push({
    name: 'BatchMatMul dense dW (8×600ᵀ · 8×64)',
    kernel: 'BatchMatMul',
    inputs: { a: [8, 600], b: [8, 64] },
    attrs: { transposeA: true, transposeB: false },
    seed: seed++,
  });
  cases.push({
    name: 'BatchMatMul batched 3×(40×70 · 70×50)',
    kernel: 'BatchMatMul',
    inputs: { a: [3, 40, 70], b: [3, 70, 50] },
    attrs: { transposeA: false, transposeB: false },
    seed: seed++,
  });
  cases.push({
    name: 'BatchMatMul broadcast (3×40×70 · 70×50ᵀ)',
    kernel: 'BatchMatMul',
    inputs: { a: [3, 40, 70], b: [1, 50, 70] },
    attrs: { transposeA: false, transposeB: true },
    seed: seed++,
  });
  return cases;
}

/** Runs one case on the active backend and returns its output values and shape. */
export function runKernelCase(c: KernelCase): { values: Float32Array; shape: number[] } {
  const inputs: Record<string, tf.Tensor> = {};
  let i = 0;
  for (const [name, shape] of Object.entries(c.inputs)) {
    const size = shape.reduce((p, d) => p * d, 1);
    inputs[name] = tf.tensor(seededValues(size, c.seed * 97 + i++), shape, 'float32');
  }
  const out = tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: [...out.shape] };
  tf.dispose([out, ...Object.values(inputs)]);
  return result;
}

/**
 * Largest element-wise relative error `|a - b| / max(1, |b|)` of `actual` against `expected`
 * (absolute below 1, relative above). Mismatched lengths count as an infinite error.
 *
 * @example
 * ```ts
 * maxRelError(new Float32Array([1, 2]), new Float32Array([1, 2.0001])); // ≈ 5e-5
 * ```
 */
export function maxRelError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const err = Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e));
    if (!(err <= worst)) worst = err; // NaN propagates as the worst error
  }
  return worst;
}

/**
 * Runs a case on the reference backend (cpu) and the target (wasm), switching with
 * `tf.setBackend`, and restores the backend that was active before.
 *
 * @example
 * ```ts
 * const { relError } = await compareKernelCase(kernelCases()[0]!);
 * ```
 */
export async function compareKernelCase(
  c: KernelCase,
  reference = 'cpu',
  target = 'wasm',
): Promise<{ relError: number; shape: number[] }> {
  const before = tf.getBackend();
  try {
    await tf.setBackend(reference);
    const expected = runKernelCase(c);
    await tf.setBackend(target);
    const actual = runKernelCase(c);
    const sameShape = actual.shape.join() === expected.shape.join();
    return {
      relError: sameShape ? maxRelError(actual.values, expected.values) : Number.POSITIVE_INFINITY,
      shape: actual.shape,
    };
  } finally {
    if (before && tf.getBackend() !== before) await tf.setBackend(before);
  }
}
