import * as tf from '#tfjs';

/**
 * Where one thread's memory is, in MB. `heapUsedMb`/`heapTotalMb`, `externalMb` and `arrayBuffersMb` are the
 * calling thread's own V8 isolate (a worker thread has its own); `wasmHeapMb` is the size of its tfjs-backend-wasm
 * memory, which grows and never shrinks (0 when the wasm backend has not started in this thread); `tensors` is its
 * tfjs tensor count (0 before a backend has started). RSS is the whole process's and is not part of a thread's sample.
 */
export interface MemorySample {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  wasmHeapMb: number;
  tensors: number;
}

const MB = 2 ** 20;

/**
 * Samples the calling thread's memory (see {@link MemorySample}). With `collect`, a full garbage collection runs
 * first, so `heapUsedMb` is what is still reachable (diagnostics: it costs a pause of tens of milliseconds).
 *
 * @example
 * ```ts
 * const { heapUsedMb, wasmHeapMb } = memorySample({ collect: true });
 * ```
 */
export function memorySample(options: { collect?: boolean } = {}): MemorySample {
  if (options.collect) fullGc();
  const usage = process.memoryUsage();
  return {
    heapUsedMb: usage.heapUsed / MB,
    heapTotalMb: usage.heapTotal / MB,
    externalMb: usage.external / MB,
    arrayBuffersMb: usage.arrayBuffers / MB,
    wasmHeapMb: wasmHeapBytes() / MB,
    tensors: tensorCount(),
  };
}

/** tfjs' tensor count, 0 before a backend has started in this thread (tf.memory() throws then). */
function tensorCount(): number {
  try {
    return tf.memory().numTensors;
  } catch {
    return 0;
  }
}

let gc: (() => void) | undefined;

/** A full garbage collection of this thread's isolate (V8's `gc`, exposed on first use). */
function fullGc(): void {
  if (!gc) {
    // Loaded on first use, not imported: the runtime is also bundled for workerd, which has no node:v8.
    const v8 = process.getBuiltinModule('node:v8');
    const vm = process.getBuiltinModule('node:vm');
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/** The byte length of the tfjs-backend-wasm module's memory in this thread, 0 when it has not started. */
function wasmHeapBytes(): number {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const backend = registry.wasm as { wasm?: { HEAPU8?: Uint8Array } } | undefined;
  return backend?.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}
