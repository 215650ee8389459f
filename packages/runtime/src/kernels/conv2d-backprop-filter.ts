import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { assertFloat32, convGeometry, type PadAttr } from './conv-geometry.js';
import { KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'Conv2DBackpropFilter';

/**
 * Filter gradient of a 2-D convolution on wasm.
 *
 * 1×1 stride-1 convolutions are one matrix product `x2dᵀ · dy2d` (x transposed explicitly so the
 * XNNPACK fast path runs). Everything else is a single XNNPACK convolution with the roles swapped:
 * the input channels become the batch, the batch becomes the contracted channel axis, dy becomes
 * the filter, and the forward stride becomes the dilation:
 * `dW[kh,kw,ci,co] = conv(xᵀ[ci,h,w,b], dyᵀ[oh,ow,b,co], dilation = stride)`.
 */
export const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x: x0, dy: dy0 } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as NamedAttrMap & {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  assertFloat32(NAME, [x0, dy0]);
  const scope = new KernelScope(backend as unknown as WasmBackendLike);
  try {
    const nchw = a.dataFormat === 'NCHW';
    const x = nchw ? scope.transpose(x0, [0, 2, 3, 1]) : x0;
    const dy = nchw ? scope.transpose(dy0, [0, 2, 3, 1]) : dy0;
    const g = convGeometry(NAME, [...x.shape], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
    const n = g.batch * g.outH * g.outW;
    if (g.kH === 1 && g.kW === 1 && g.sH === 1 && g.sW === 1 && g.top === 0 && g.left === 0) {
      const xs = scope.padOrCrop(x, [
        [0, 0],
        [0, g.outH - g.inH],
        [0, g.outW - g.inW],
        [0, 0],
      ]);
      const x2d = scope.transpose(scope.reshape(xs, [n, g.inC]), [1, 0]);
      const dw = scope.run(
        'BatchMatMul',
        { a: x2d, b: scope.reshape(dy, [n, g.outC]) },
        { transposeA: false, transposeB: false },
      );
      return scope.keep(scope.reshape(dw, [1, 1, g.inC, g.outC]));
    }
    const bottom = g.kH + (g.outH - 1) * g.sH - g.inH - g.top;
    const right = g.kW + (g.outW - 1) * g.sW - g.inW - g.left;
    // Crop what the convolution never reads; the remaining (non-negative) pads go to XNNPACK.
    const xs = scope.padOrCrop(x, [
      [0, 0],
      [Math.min(0, g.top), Math.min(0, bottom)],
      [Math.min(0, g.left), Math.min(0, right)],
      [0, 0],
    ]);
    const xT = scope.transpose(xs, [3, 1, 2, 0]);
    const f = scope.transpose(dy, [1, 2, 0, 3]);
    const out = scope.run(
      'Conv2D',
      { x: xT, filter: f },
      {
        strides: [1, 1],
        dilations: [g.sH, g.sW],
        pad: [
          [0, 0],
          [Math.max(0, g.top), Math.max(0, bottom)],
          [Math.max(0, g.left), Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    return scope.keep(scope.transpose(out, [1, 2, 0, 3]));
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
