import { InvalidBackendError, probeTensorflow, selectBackend, TENSORFLOW_MODULES } from '@graft/runtime';
import { describe, expect, it } from 'vitest';

describe('selectBackend', () => {
  it('picks tensorflow when a native binding imports, else wasm', () => {
    expect(selectBackend({ env: {}, tensorflowAvailable: true })).toEqual({
      backend: 'tensorflow',
      source: 'auto',
    });
    expect(selectBackend({ env: {}, tensorflowAvailable: false })).toEqual({
      backend: 'wasm',
      source: 'auto',
    });
  });

  it('never picks cpu unless asked', () => {
    for (const tensorflowAvailable of [true, false]) {
      expect(selectBackend({ env: {}, tensorflowAvailable }).backend).not.toBe('cpu');
    }
    expect(selectBackend({ requested: 'cpu', env: {}, tensorflowAvailable: true })).toEqual({
      backend: 'cpu',
      source: 'option',
    });
  });

  it('lets GRAFT_BACKEND override both the option and the automatic choice', () => {
    expect(selectBackend({ env: { GRAFT_BACKEND: 'cpu' }, tensorflowAvailable: true })).toEqual({
      backend: 'cpu',
      source: 'env',
    });
    expect(
      selectBackend({ requested: 'tensorflow', env: { GRAFT_BACKEND: ' WASM ' }, tensorflowAvailable: true }),
    ).toEqual({ backend: 'wasm', source: 'env' });
    // an empty variable is "not set"
    expect(selectBackend({ env: { GRAFT_BACKEND: '' }, tensorflowAvailable: false }).source).toBe('auto');
  });

  it('rejects unknown names with a typed error', () => {
    expect(() => selectBackend({ env: { GRAFT_BACKEND: 'webgpu' }, tensorflowAvailable: false })).toThrow(
      InvalidBackendError,
    );
    try {
      selectBackend({ requested: 'gpu', env: {}, tensorflowAvailable: false });
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidBackendError).code).toBe('invalid_backend');
    }
  });
});

describe('probeTensorflow', () => {
  it('finds nothing here: tfjs-node(-gpu) is not installed', async () => {
    expect(await probeTensorflow()).toBeUndefined();
  });

  it('prefers tfjs-node-gpu, falls back to tfjs-node, skips modules that fail to load', async () => {
    const tried: string[] = [];
    const onlyNode = async (name: string) => {
      tried.push(name);
      if (name !== '@tensorflow/tfjs-node') throw new Error('Cannot find module');
      return {};
    };
    expect(await probeTensorflow(TENSORFLOW_MODULES, onlyNode)).toBe('@tensorflow/tfjs-node');
    expect(tried).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(await probeTensorflow(TENSORFLOW_MODULES, async () => ({}))).toBe('@tensorflow/tfjs-node-gpu');
  });
});
