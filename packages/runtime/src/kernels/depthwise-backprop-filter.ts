import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { assertFloat32, type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { type KernelInputs, KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'DepthwiseConv2dNativeBackpropFilter';

/**
 * Filter gradient of a depthwise convolution on wasm, one pass per filter tap without im2col:
 * x is padded to the grid the filter reads and viewed as `[b·h·w, C]`; dy is placed on the same
 * grid (dilated by the stride, zero-padded). Tap (kh, kw) pairs grid cell g of dy with cell
 * `g + shift` of x (`shift = kh·d·w + kw·d`) — the zero rows/columns of dy cancel every term that
 * would wrap across a row or an image — so with channel-major views (one transpose of x and of dy)
 * each tap is one pad, one multiply (broadcast over the multiplier M) and one innermost-axis sum:
 * `dW[kh,kw,c,m] = Σ_g x[g + shift, c] · dy[g, c·M + m]`.
 */
export const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as NamedAttrMap & ConvGradAttrs & { filterShape: [number, number, number, number] };
  assertFloat32(NAME, [x, dy]);
  const scope = new KernelScope(backend as unknown as WasmBackendLike);
  try {
    const g = convGeometry(
      NAME,
      [...x.shape],
      a.filterShape,
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
      true,
    );
    const m = g.outC / g.inC;
    const hn = (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1;
    const wn = (g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1;
    const xs = scope.padOrCrop(x, [
      [0, 0],
      [g.top, hn - g.inH - g.top],
      [g.left, wn - g.inW - g.left],
      [0, 0],
    ]);
    const n = g.batch * hn * wn;
    // Channel-major views (one transpose each), so every per-tap reduction is over the innermost axis.
    const xT = scope.reshape(scope.transpose(scope.reshape(xs, [n, g.inC]), [1, 0]), [g.inC, 1, n]);
    const dyP = scope.padOrCrop(scope.dilateSpatial(dy, g.sH, g.sW), [
      [0, 0],
      [0, hn - g.outH * g.sH],
      [0, wn - g.outW * g.sW],
      [0, 0],
    ]);
    const maxShift = (g.kH - 1) * g.dH * wn + (g.kW - 1) * g.dW;
    const len = n - maxShift;
    const dyT = scope.transpose(scope.reshape(dyP, [n, g.outC]), [1, 0]); // [C·M, n]
    const dyL = scope.reshape(scope.run('Slice', { x: dyT }, { begin: [0, 0], size: [g.outC, len] }), [
      g.inC,
      m,
      len,
    ]);
    const taps: TensorInfo[] = [];
    for (let kh = 0; kh < g.kH; kh++) {
      for (let kw = 0; kw < g.kW; kw++) {
        const shift = kh * g.dH * wn + kw * g.dW;
        const shifted = scope.padOrCrop(dyL, [
          [0, 0],
          [0, 0],
          [shift, n - shift - len],
        ]);
        const prod = scope.run('Multiply', { a: xT, b: shifted }); // [C, M, n]
        taps.push(scope.run('Sum', { x: prod }, { axis: [2], keepDims: false }));
      }
    }
    const stacked =
      taps.length === 1
        ? (taps[0] as TensorInfo)
        : scope.run('Pack', taps as unknown as KernelInputs, { axis: 0 });
    return scope.keep(scope.reshape(stacked, [g.kH, g.kW, g.inC, m]));
  } finally {
    scope.dispose();
  }
};

/**
 * Kernel config registering {@link depthwiseBackpropFilter} for the wasm backend.
 *
 * @example
 * ```ts
 * tf.registerKernel(depthwiseBackpropFilterConfig);
 * ```
 */
export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter,
};
