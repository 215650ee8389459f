import * as tf from '#tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';

/** Kernels Graft adds to (or replaces in) the wasm backend. */
export const GRAFT_WASM_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'BatchMatMul',
] as const;

let registered = false;

/**
 * Registers Graft's wasm training kernels: the three tfjs-backend-wasm 4.22 lacks
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput`) plus faster replacements for `Conv2DBackpropInput` and
 * transposed/batched `BatchMatMul`. All are composed from XNNPACK-backed wasm kernels.
 * Idempotent; safe to call before or after `tf.setBackend('wasm')`.
 *
 * @example
 * ```ts
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * // model.fit(...) with Conv2D / DepthwiseConv2D layers now trains on wasm
 * ```
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const builtInMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (builtInMatMul === undefined) {
    throw new Error('tfjs-backend-wasm kernels are not registered');
  }
  const configs = [
    conv2dBackpropFilterConfig,
    conv2dBackpropInputConfig,
    depthwiseBackpropFilterConfig,
    depthwiseBackpropInputConfig,
    batchMatMulConfig(builtInMatMul),
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
}
