import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { assertFloat32, type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { KernelScope, type WasmBackendLike } from './kernel-scope.js';

const NAME = 'DepthwiseConv2dNativeBackpropInput';

/**
 * Input gradient of a depthwise convolution on wasm: dy (C·M channels) is dilated by the stride,
 * padded by `(k - 1)·dilation - pad`, depthwise-convolved (XNNPACK) with the flipped filter viewed
 * as `[kh, kw, C·M, 1]` at the forward dilation, and — for channel multiplier M > 1 — summed over
 * the M outputs of each input channel.
 */
export const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as NamedAttrMap & ConvGradAttrs & { inputShape: [number, number, number, number] };
  assertFloat32(NAME, [dy, filter]);
  const scope = new KernelScope(backend as unknown as WasmBackendLike);
  try {
    const g = convGeometry(
      NAME,
      [...a.inputShape],
      [...filter.shape],
      a.strides,
      a.dilations ?? 1,
      a.pad,
      a.dimRoundingMode,
      true,
    );
    const m = g.outC / g.inC;
    const dyD = scope.dilateSpatial(dy, g.sH, g.sW);
    const top = (g.kH - 1) * g.dH - g.top;
    const left = (g.kW - 1) * g.dW - g.left;
    const bottom = g.inH + (g.kH - 1) * g.dH - top - g.outH * g.sH;
    const right = g.inW + (g.kW - 1) * g.dW - left - g.outW * g.sW;
    const dyC = scope.padOrCrop(dyD, [
      [0, 0],
      [Math.min(0, top), Math.min(0, bottom)],
      [Math.min(0, left), Math.min(0, right)],
      [0, 0],
    ]);
    const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
    const w = scope.reshape(flipped, [g.kH, g.kW, g.outC, 1]);
    const dx = scope.run(
      'DepthwiseConv2dNative',
      { x: dyC, filter: w },
      {
        strides: [1, 1],
        dilations: [g.dH, g.dW],
        pad: [
          [0, 0],
          [Math.max(0, top), Math.max(0, bottom)],
          [Math.max(0, left), Math.max(0, right)],
          [0, 0],
        ],
      },
    );
    if (m === 1) return scope.keep(dx);
    const split = scope.reshape(dx, [g.batch, g.inH, g.inW, g.inC, m]);
    return scope.keep(scope.run('Sum', { x: split }, { axis: [4], keepDims: false }));
  } finally {
    scope.dispose();
  }
};

/**
 * Kernel config registering {@link depthwiseBackpropInput} for the wasm backend.
 *
 * @example
 * ```ts
 * tf.registerKernel(depthwiseBackpropInputConfig);
 * ```
 */
export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: NAME,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput,
};
