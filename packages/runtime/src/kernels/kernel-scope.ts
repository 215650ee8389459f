import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import * as tf from '#tfjs';

/** The slice of the wasm backend's API the composed kernels use. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

/** Inputs of a kernel call: named tensor infos. */
export type KernelInputs = Record<string, TensorInfo>;

/**
 * Runs registered wasm kernels directly on `TensorInfo`s (no engine, no tape) and frees every
 * intermediate when the scope closes — the way the wasm backend composes its own kernels.
 *
 * @example
 * ```ts
 * const scope = new KernelScope(backend);
 * try {
 *   const t = scope.run('Transpose', { x }, { perm: [0, 2, 1] });
 *   return scope.keep(scope.run('Reshape', { x: t }, { shape: [4, 4] }));
 * } finally { scope.dispose(); }
 * ```
 */
export class KernelScope {
  private readonly owned: TensorInfo[] = [];

  constructor(
    readonly backend: WasmBackendLike,
    private readonly backendName = 'wasm',
  ) {}

  /** Calls kernel `name` of the backend; the result is owned by the scope. */
  run(name: string, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = tf.getKernel(name, this.backendName);
    if (kernel === undefined) throw new Error(`kernel ${name} is not registered for ${this.backendName}`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend as never });
    const info = (Array.isArray(out) ? out[0] : out) as TensorInfo;
    this.owned.push(info);
    return info;
  }

  /** Calls a kernel function directly (e.g. the original kernel a Graft kernel replaced). */
  call(kernelFunc: tf.KernelFunc, inputs: KernelInputs, attrs: NamedAttrMap = {}): TensorInfo {
    const out = kernelFunc({ inputs, attrs, backend: this.backend as never });
    const info = (Array.isArray(out) ? out[0] : out) as TensorInfo;
    this.owned.push(info);
    return info;
  }

  /** Reshape without copying (the result shares the data buffer). */
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Transpose, skipped when the permutation is the identity. */
  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    if (perm.every((p, i) => p === i)) return this.reshape(x, [...x.shape]);
    return this.run('Transpose', { x }, { perm });
  }

  /**
   * Pads (positive amounts) and crops (negative amounts) the given axes of a tensor.
   * `amounts[i]` is `[before, after]` for axis i.
   */
  padOrCrop(x: TensorInfo, amounts: Array<[number, number]>): TensorInfo {
    let out = x;
    if (amounts.some(([b, a]) => b < 0 || a < 0)) {
      const begin = amounts.map(([b]) => Math.max(0, -b));
      const size = amounts.map(([b, a], i) => (x.shape[i] as number) - Math.max(0, -b) - Math.max(0, -a));
      out = this.run('Slice', { x: out }, { begin, size });
    }
    if (amounts.some(([b, a]) => b > 0 || a > 0)) {
      const paddings = amounts.map(([b, a]) => [Math.max(0, b), Math.max(0, a)]);
      out = this.run('PadV2', { x: out }, { paddings, constantValue: 0 });
    }
    return out;
  }

  /**
   * Inserts `stride - 1` zeros after every element of the two spatial axes of an NHWC tensor
   * (so the result has `size * stride` rows/columns, trailing zeros included).
   */
  dilateSpatial(x: TensorInfo, strideH: number, strideW: number): TensorInfo {
    if (strideH === 1 && strideW === 1) return x;
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const six = this.reshape(x, [b, h, 1, w, 1, c]);
    const padded = this.run(
      'PadV2',
      { x: six },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, strideH - 1],
          [0, 0],
          [0, strideW - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    return this.reshape(padded, [b, h * strideH, w * strideW, c]);
  }

  /** Removes `info` from the scope so it survives `dispose()`; returns it. */
  keep(info: TensorInfo): TensorInfo {
    const i = this.owned.lastIndexOf(info);
    if (i >= 0) this.owned.splice(i, 1);
    else this.backend.incRef(info.dataId);
    return info;
  }

  /** Frees every intermediate still owned by the scope. */
  dispose(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId);
  }
}
