import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '#tfjs';
import { type KernelInputs, KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'BatchMatMul';
/** Below this many multiply-adds per matrix the built-in kernel is as good as anything. */
const MIN_MACS = 1 << 15;
/** Above this many matrices the per-matrix loop costs more than it saves. */
const MAX_LOOP = 64;

let original: KernelFunc | undefined;

/**
 * Routes every sizeable matrix product to tfjs-backend-wasm's XNNPACK path. The built-in kernel
 * only uses XNNPACK for a single, untransposed product; with `transposeA`/`transposeB` (as in
 * every Dense gradient) or a batch it falls back to a scalar loop ~12× slower. Here the operands
 * are transposed explicitly and batches are split into single products.
 */
export const batchMatMul: KernelFunc = (args) => {
  const base = original;
  if (base === undefined) throw new Error('BatchMatMul override used before registration');
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as NamedAttrMap & {
    transposeA: boolean;
    transposeB: boolean;
  };
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  const batch = Math.max(batchA, batchB);
  const plain = !transposeA && !transposeB && batch === 1;
  const fits = batchA === batchB || batchA === 1 || batchB === 1;
  if (
    plain ||
    m * k * n < MIN_MACS ||
    batch > MAX_LOOP ||
    !fits ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32'
  ) {
    return base(args);
  }
  const scope = new KernelScope(args.backend as unknown as WasmBackendLike);
  try {
    const a3 = scope.reshape(a, [batchA, a.shape[ra - 2] as number, a.shape[ra - 1] as number]);
    const b3 = scope.reshape(b, [batchB, b.shape[rb - 2] as number, b.shape[rb - 1] as number]);
    const attrs = { transposeA: false, transposeB: false };
    const outShape = tf.broadcast_util
      .assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2))
      .concat([m, n]);
    if (batch === 1) {
      // Cost in copied floats: explicit transposes plus XNNPACK packing its right-hand operand.
      // Computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead is cheaper when B is large and transposed (dX = dy·Wᵀ).
      const [sizeA, sizeB] = [m * k, k * n];
      const direct = (transposeA ? sizeA : 0) + (transposeB ? sizeB : 0) + sizeB;
      const swapped = (transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + m * n + sizeA;
      if (swapped < direct) {
        const lhs = transposeB ? b3 : scope.transpose(b3, [0, 2, 1]); // op(B)ᵀ  [n, k]
        const rhs = transposeA ? a3 : scope.transpose(a3, [0, 2, 1]); // op(A)ᵀ  [k, m]
        const ct = scope.call(base, { a: lhs, b: rhs }, attrs); // [1, n, m]
        return scope.keep(scope.reshape(scope.transpose(ct, [0, 2, 1]), outShape));
      }
      const aa = transposeA ? scope.transpose(a3, [0, 2, 1]) : a3;
      const bb = transposeB ? scope.transpose(b3, [0, 2, 1]) : b3;
      return scope.keep(scope.reshape(scope.call(base, { a: aa, b: bb }, attrs), outShape));
    }
    const aa = transposeA ? scope.transpose(a3, [0, 2, 1]) : a3;
    const bb = transposeB ? scope.transpose(b3, [0, 2, 1]) : b3;
    const parts: TensorInfo[] = [];
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? aa : scope.run('Slice', { x: aa }, { begin: [i, 0, 0], size: [1, m, k] });
      const bi = batchB === 1 ? bb : scope.run('Slice', { x: bb }, { begin: [i, 0, 0], size: [1, k, n] });
      parts.push(scope.call(base, { a: ai, b: bi }, attrs));
    }
    const joined = scope.run('Concat', parts as unknown as KernelInputs, { axis: 0 });
    return scope.keep(scope.reshape(joined, outShape));
  } finally {
    scope.dispose();
  }
};

/**
 * Builds the kernel config of the faster BatchMatMul, remembering the built-in kernel it wraps.
 *
 * @example
 * ```ts
 * tf.registerKernel(batchMatMulConfig(tf.getKernel('BatchMatMul', 'wasm')!));
 * ```
 */
export function batchMatMulConfig(builtIn: KernelConfig): KernelConfig {
  if (builtIn.kernelFunc !== batchMatMul) original ??= builtIn.kernelFunc;
  // Keep the built-in setup (it binds the wasm function the wrapped kernel calls).
  return { ...builtIn, kernelName: NAME, backendName: 'wasm', kernelFunc: batchMatMul };
}
