/**
 * Starts tfjs's wasm backend inside workerd (Cloudflare Workers), where WebAssembly may not be compiled from bytes:
 * the `.wasm` is imported by the bundle as a compiled `WebAssembly.Module` and handed to tfjs when it instantiates.
 *
 * tfjs-backend-wasm has no public hook for a precompiled module. With `setWasmPaths(map, true)` it fetches the binary
 * with the platform fetch (here a `data:` URL holding only the 8-byte wasm header: no I/O) and passes the bytes to
 * `WebAssembly.instantiate`; for the length of that start-up, `WebAssembly.instantiate` is wrapped so those bytes are
 * swapped for the imported module. Both halves are needed: without the fetch override tfjs compiles from bytes
 * ("Wasm code generation disallowed by embedder"), without the swap the header is not a module.
 */
import { GRAFT_WASM_KERNELS, registerWasmTrainingKernels, tf } from '@graft/runtime';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The 8 bytes every wasm binary starts with (magic + version 1), as the placeholder tfjs fetches. */
const WASM_HEADER_URL = 'data:application/wasm;base64,AGFzbQEAAAA=';
const HEADER_BYTES = 8;

let ready: Promise<EdgeBackendInfo> | undefined;

/**
 * How the edge backend runs.
 *
 * @example
 * ```ts
 * const info: EdgeBackendInfo = { backend: 'wasm', simd: true, threads: 1, kernels: 3 };
 * ```
 */
export interface EdgeBackendInfo {
  backend: string;
  simd: boolean;
  threads: number;
  /** Graft's extra wasm kernels registered (training kernels; inference does not need them but the set is shared). */
  kernels: number;
}

function isPlaceholder(source: unknown): source is ArrayBuffer | ArrayBufferView {
  const bytes =
    source instanceof ArrayBuffer ? source : ArrayBuffer.isView(source) ? source.buffer : undefined;
  return bytes !== undefined && bytes.byteLength === HEADER_BYTES;
}

/**
 * Starts the wasm backend (SIMD, one thread) from an imported compiled module, once per isolate; later calls share
 * the first one's promise. Call it inside a request (workerd forbids I/O at global scope); a failed start may be
 * retried.
 *
 * @example
 * ```ts
 * import tfjsWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
 * const info = await initEdgeBackend(tfjsWasm); // { backend: 'wasm', simd: true, threads: 1, ... }
 * ```
 */
export function initEdgeBackend(module: WebAssembly.Module): Promise<EdgeBackendInfo> {
  ready ??= start(module).catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

async function start(module: WebAssembly.Module): Promise<EdgeBackendInfo> {
  const binaries = {
    'tfjs-backend-wasm.wasm': WASM_HEADER_URL,
    'tfjs-backend-wasm-simd.wasm': WASM_HEADER_URL,
    'tfjs-backend-wasm-threaded-simd.wasm': WASM_HEADER_URL,
  };
  setWasmPaths(binaries, true);
  const original = WebAssembly.instantiate;
  const swapped = ((source: unknown, imports?: WebAssembly.Imports) => {
    if (!isPlaceholder(source)) return original(source as BufferSource, imports);
    return original(module, imports).then((instance) => ({ instance, module }));
  }) as typeof WebAssembly.instantiate;
  WebAssembly.instantiate = swapped;
  try {
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start the wasm backend');
    await tf.ready();
  } finally {
    WebAssembly.instantiate = original;
  }
  return {
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: 1,
    kernels: GRAFT_WASM_KERNELS.length,
  };
}
