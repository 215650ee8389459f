import type { TensorInfo } from '@tensorflow/tfjs';
import { backend_util } from '#tfjs';
import { KernelInputError } from '../errors.js';

/** Padding attribute as tfjs kernels receive it. */
export type PadAttr = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/** Attributes every convolution-gradient kernel receives (the filter or input shape is added per kernel). */
export interface ConvGradAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Geometry of one 2-D convolution (NHWC), resolved from kernel attributes. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  top: number;
  left: number;
}

/** Reads an int-or-pair attribute (strides, dilations) as `[h, w]`. */
export function pair(v: number | [number, number] | number[] | undefined, fallback = 1): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0] ?? fallback, v[1] ?? v[0] ?? fallback];
}

/**
 * Resolves the geometry of a convolution the same way tfjs does (`computeConv2DInfo`), so 'same',
 * 'valid', explicit pads and `dimRoundingMode` behave exactly like the cpu backend.
 *
 * @example
 * ```ts
 * const g = convGeometry('Conv2DBackpropFilter', [1, 28, 28, 1], [3, 3, 1, 8], 1, 1, 'same');
 * g.outH; // 28
 * ```
 */
export function convGeometry(
  kernel: string,
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: PadAttr,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
  depthwise = false,
): ConvGeometry {
  if (inShape.length !== 4 || filterShape.length !== 4) {
    throw new KernelInputError(kernel, `expected rank-4 input and filter, got ${inShape} and ${filterShape}`);
  }
  const info = backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    dH: info.dilationHeight,
    dW: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** Throws a typed error unless every input is float32. */
export function assertFloat32(kernel: string, inputs: TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new KernelInputError(kernel, `expected float32 inputs, got ${t.dtype}`);
  }
}
