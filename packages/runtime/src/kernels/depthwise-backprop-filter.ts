import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { assertFloat32, convGeometry, type PadAttr } from './conv-geometry.js';
import { KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'DepthwiseConv2dNativeBackpropFilter';

/**
 * Filter gradient of a depthwise convolution on wasm as ONE depthwise convolution over a "canvas":
 * the batch images of x are laid side by side along the width (each padded to a multiple of the
 * stride), dy's images likewise become one wide depthwise filter, and the forward stride becomes
 * the dilation (the forward dilation the stride). Images never overlap, so the per-channel
 * correlation also sums over the batch:
 * `dW[kh,kw,c,m] = Σ_b,oh,ow x[b, oh·s+kh·d-top, ow·s+kw·d-left, c] · dy[b,oh,ow,c·M+m]`.
 */
export const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as NamedAttrMap & {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: PadAttr;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
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
    // Width of one image slot on the canvas: everything the filter reads, rounded up to the stride.
    const slotQ = Math.ceil(((g.outW - 1) * g.sW + (g.kW - 1) * g.dW + 1) / g.sW);
    const slot = slotQ * g.sW;
    const needH = (g.outH - 1) * g.sH + (g.kH - 1) * g.dH + 1;
    const xs = scope.padOrCrop(x, [
      [0, 0],
      [Math.min(0, g.top), Math.min(0, needH - g.inH - g.top)],
      [g.left, slot - g.inW - g.left],
      [0, 0],
    ]);
    const rows = xs.shape[1] as number;
    const canvas0 = scope.reshape(scope.transpose(xs, [1, 0, 2, 3]), [1, rows, g.batch * slot, g.inC]);
    const canvasW = (g.batch * slotQ - 1) * g.sW + 1 + (g.kW - 1) * g.dW;
    const extraW = canvasW - g.batch * slot;
    const canvas =
      extraW < 0
        ? scope.padOrCrop(canvas0, [
            [0, 0],
            [0, 0],
            [0, extraW],
            [0, 0],
          ])
        : canvas0;
    const dyP = scope.padOrCrop(dy, [
      [0, 0],
      [0, 0],
      [0, slotQ - g.outW],
      [0, 0],
    ]);
    const filter = scope.reshape(scope.transpose(dyP, [1, 0, 2, 3]), [g.outH, g.batch * slotQ, g.inC, m]);
    const out = scope.run(
      'DepthwiseConv2dNative',
      { x: canvas, filter },
      {
        strides: [g.dH, g.dW],
        dilations: [g.sH, g.sW],
        pad: [
          [0, 0],
          [Math.max(0, g.top), Math.max(0, needH - g.inH - g.top)],
          [0, Math.max(0, extraW)],
          [0, 0],
        ],
      },
    );
    return scope.keep(scope.reshape(out, [g.kH, g.kW, g.inC, m]));
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
