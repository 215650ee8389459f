import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { assertFloat32, type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { type KernelInputs, KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * Filter gradient of a 2-D convolution on wasm, as kh·kw XNNPACK matrix products without im2col:
 * x (padded to the grid the filter reads) is viewed as `[ci, b·h·w]`, dy is placed on the same
 * grid (dilated by the stride, zero-padded), and tap (kh, kw) is
 * `dW[kh,kw] = xᵀ[:, shift : shift + L] · dy[0 : L]` with `shift = kh·w + kw` — the zero rows and
 * columns of dy cancel every term that wraps across a row or an image. dy is packed once and
 * reused by all taps; the only copies are one transpose of x and one contiguous slice per tap.
 */
export const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x: x0, dy: dy0 } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as NamedAttrMap & ConvGradAttrs & { filterShape: [number, number, number, number] };
  assertFloat32(NAME, [x0, dy0]);
  const scope = new KernelScope(backend as unknown as WasmBackendLike);
  try {
    const nchw = a.dataFormat === 'NCHW';
    const x = nchw ? scope.transpose(x0, [0, 2, 3, 1]) : x0;
    const dy = nchw ? scope.transpose(dy0, [0, 2, 3, 1]) : dy0;
    const g = convGeometry(NAME, [...x.shape], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
    // Grid the filter slides over: exactly the rows/columns the convolution reads.
    const hn = (g.outH - 1) * g.sH + g.kH;
    const wn = (g.outW - 1) * g.sW + g.kW;
    const xs = scope.padOrCrop(x, [
      [0, 0],
      [g.top, hn - g.inH - g.top],
      [g.left, wn - g.inW - g.left],
      [0, 0],
    ]);
    const n = g.batch * hn * wn;
    const xT = scope.transpose(scope.reshape(xs, [n, g.inC]), [1, 0]); // [ci, n]
    // dy on the same grid: zeros between strided positions and in the last k-1 rows/columns.
    const dyD = scope.dilateSpatial(dy, g.sH, g.sW);
    const dyP = scope.padOrCrop(dyD, [
      [0, 0],
      [0, hn - g.outH * g.sH],
      [0, wn - g.outW * g.sW],
      [0, 0],
    ]);
    // Tap (kh, kw) pairs grid cell f of dy with cell f + kh·wn + kw of x. The zero rows/columns of
    // dy absorb every wrap-around, so each tap is ONE matrix product over flat, shifted views.
    const maxShift = (g.kH - 1) * wn + (g.kW - 1);
    const len = n - maxShift;
    const dyL = scope.run(
      'Slice',
      { x: scope.reshape(dyP, [n, g.outC]) },
      { begin: [0, 0], size: [len, g.outC] },
    );
    const taps: TensorInfo[] = [];
    for (let kh = 0; kh < g.kH; kh++) {
      for (let kw = 0; kw < g.kW; kw++) {
        const shift = kh * wn + kw;
        const a = len === n ? xT : scope.run('Slice', { x: xT }, { begin: [0, shift], size: [g.inC, len] });
        taps.push(scope.run('BatchMatMul', { a, b: dyL }, { transposeA: false, transposeB: false }));
      }
    }
    const stacked =
      taps.length === 1
        ? (taps[0] as TensorInfo)
        : scope.run('Pack', taps as unknown as KernelInputs, { axis: 0 });
    return scope.keep(scope.reshape(stacked, [g.kH, g.kW, g.inC, g.outC]));
  } finally {
    scope.dispose();
  }
};

/**
 * Kernel config registering {@link conv2dBackpropFilter} for the wasm backend.
 *
 * @example
 * ```ts
 * tf.registerKernel(conv2dBackpropFilterConfig);
 * ```
 */
export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
