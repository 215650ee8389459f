import type { tf } from '@graft/runtime';

/**
 * Floating-point operations of one image through a model, counted from its layer shapes: 2 × multiply-adds of
 * every Conv2D, DepthwiseConv2D and Dense layer (bias, batch norm, activations, adds and pooling are left out,
 * as in the usual "300 M multiply-adds" figure for MobileNetV2 at 224 px).
 *
 * @example
 * ```ts
 * const { trunk } = splitBackbone(await loadBackbone(), 'features');
 * console.log(countFlops(trunk) / 1e6, 'MFLOP'); // ≈ 600 at 224 px
 * ```
 */
export function countFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D' && cls !== 'Dense') continue;
    const kernel = layer.weights[0]?.shape as number[] | undefined;
    if (!kernel) continue;
    const out = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (
      | number
      | null
    )[];
    if (cls === 'Dense') {
      flops += 2 * kernel[0]! * kernel[1]!;
      continue;
    }
    const [h, w] = [out[1] ?? 0, out[2] ?? 0];
    // Conv2D kernel [kh, kw, in, out]; DepthwiseConv2D kernel [kh, kw, in, multiplier]: both multiply out the same.
    flops += 2 * h * w * kernel[0]! * kernel[1]! * kernel[2]! * kernel[3]!;
  }
  return flops;
}
