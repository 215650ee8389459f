import {
  BackendMismatchError,
  BackendUnavailableError,
  GRAFT_WASM_KERNELS,
  InvalidBackendError,
  initBackend,
  tf,
} from '@graft/runtime';
import { describe, expect, it } from 'vitest';

// Each vitest file runs in its own process: this file sees a fresh, uninitialised runtime.
describe('initBackend', () => {
  it('reports tensorflow as unavailable when tfjs-node is not installed (and can be retried)', async () => {
    await expect(initBackend({ backend: 'tensorflow', env: {} })).rejects.toBeInstanceOf(
      BackendUnavailableError,
    );
    await expect(initBackend({ env: { GRAFT_BACKEND: 'nope' } })).rejects.toBeInstanceOf(InvalidBackendError);
  });

  it('falls back to wasm and verifies the SIMD binary is the one loaded', async () => {
    const info = await initBackend({ env: {} });
    expect(info).toEqual({
      backend: 'wasm',
      simd: true,
      threads: 1,
      wasmFile: 'tfjs-backend-wasm-simd.wasm',
    });
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')).toBe(true);
    for (const name of GRAFT_WASM_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('is idempotent and refuses to switch to another backend', async () => {
    const a = await initBackend({ env: {} });
    const b = await initBackend({ backend: 'wasm', env: {} });
    expect(b).toBe(a);
    const err = await initBackend({ backend: 'cpu', env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendMismatchError);
    expect((err as BackendMismatchError).code).toBe('backend_mismatch');
    await expect(initBackend({ env: { GRAFT_BACKEND: 'cpu' } })).rejects.toBeInstanceOf(BackendMismatchError);
    expect(tf.getBackend()).toBe('wasm');
  });
});
