import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'Sum';
/** Smaller reductions stay on the built-in kernel. */
const MIN_SIZE = 1 << 15;

let original: KernelFunc | undefined;

/**
 * `Sum` over leading axes (every bias gradient: NHWC summed over batch, height and width) as one
 * XNNPACK product `ones[1, R] · x[R, C]`. tfjs-backend-wasm transposes the whole tensor first so
 * that the reduced axes are innermost, which costs ~10× more. Other reductions use the built-in.
 */
export const sumLeadingAxes: KernelFunc = (args) => {
  const base = original;
  if (base === undefined) throw new Error('Sum override used before registration');
  const { x } = args.inputs as { x: TensorInfo };
  const { axis, keepDims } = args.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
    (p, q) => p - q,
  );
  const r = axes.length;
  const leading = r > 0 && r < rank && axes.every((a, i) => a === i);
  const size = x.shape.reduce((p, d) => p * d, 1);
  if (!leading || x.dtype !== 'float32' || size < MIN_SIZE) return base(args);
  const rows = x.shape.slice(0, r).reduce((p, d) => p * d, 1);
  const kept = x.shape.slice(r);
  const cols = size / rows;
  const scope = new KernelScope(args.backend as unknown as WasmBackendLike);
  try {
    const ones = scope.run('Fill', {}, { shape: [1, rows], value: 1, dtype: 'float32' });
    const prod = scope.run(
      'BatchMatMul',
      { a: ones, b: scope.reshape(x, [rows, cols]) },
      { transposeA: false, transposeB: false },
    );
    const outShape = keepDims ? [...x.shape.slice(0, r).map(() => 1), ...kept] : kept;
    return scope.keep(scope.reshape(prod, outShape));
  } finally {
    scope.dispose();
  }
};

/**
 * Builds the kernel config of the leading-axes Sum, remembering the built-in kernel it wraps.
 *
 * @example
 * ```ts
 * tf.registerKernel(sumLeadingAxesConfig(tf.getKernel('Sum', 'wasm')!));
 * ```
 */
export function sumLeadingAxesConfig(builtIn: KernelConfig): KernelConfig {
  if (builtIn.kernelFunc !== sumLeadingAxes) original ??= builtIn.kernelFunc;
  return { ...builtIn, kernelName: NAME, backendName: 'wasm', kernelFunc: sumLeadingAxes };
}
