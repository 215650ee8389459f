import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Which backend is active and how it runs. */
export interface BackendInfo {
  backend: string;
  simd: boolean;
  threads: number;
}

let ready: Promise<BackendInfo> | undefined;

/**
 * Initialises the tfjs backend once per process (minimal first version: wasm, or cpu when asked).
 *
 * @example
 * ```ts
 * const info = await initBackend();
 * console.log(info.backend); // 'wasm'
 * ```
 */
export function initBackend(options: { backend?: 'wasm' | 'cpu' } = {}): Promise<BackendInfo> {
  ready ??= (async () => {
    const wanted = options.backend ?? (process.env.GRAFT_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm';
    if (wanted === 'wasm') {
      const require = createRequire(import.meta.url);
      const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist/');
      setWasmPaths(dir);
    }
    await tf.setBackend(wanted);
    await tf.ready();
    return {
      backend: tf.getBackend(),
      simd: wanted === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: 1,
    };
  })();
  return ready;
}
