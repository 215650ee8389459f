import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '#tfjs';
import {
  BackendMismatchError,
  BackendUnavailableError,
  RuntimeError,
  SimdUnavailableError,
} from './errors.js';
import { registerWasmTrainingKernels } from './kernels/register-wasm-training-kernels.js';
import { type BackendName, isPinned, probeTensorflow, selectBackend } from './select-backend.js';
import { SIMD_WASM_FILE, WASM_FILE_NAMES, wasmFilesDir } from './wasm-files.js';

/** Which backend is active and how it runs. */
export interface BackendInfo {
  backend: string;
  simd: boolean;
  threads: number;
  /** The `.wasm` binary that was loaded (wasm backend only). */
  wasmFile?: string;
  /** The native binding that provides the `tensorflow` backend. */
  tensorflowModule?: string;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Pin the backend (`GRAFT_BACKEND` still overrides it). */
  backend?: BackendName;
  /** Environment to read (defaults to `process.env`). */
  env?: Record<string, string | undefined>;
}

let ready: Promise<BackendInfo> | undefined;
let active: BackendName | undefined;
/** Binary names tfjs-backend-wasm looked up after `setWasmPaths` (the one it loads). */
const looked: string[] = [];

function pointWasmAtFiles(env: Record<string, string | undefined>): void {
  const dir = wasmFilesDir(env);
  const map: Record<string, string> = {};
  for (const name of WASM_FILE_NAMES) {
    Object.defineProperty(map, name, {
      enumerable: true,
      get: () => {
        looked.push(name);
        return dir + name;
      },
    });
  }
  setWasmPaths(map);
  looked.length = 0; // setWasmPaths reads every entry once to validate the map
}

async function start(backend: BackendName, env: Record<string, string | undefined>, module?: string) {
  // If something else already started the wasm backend, the binary was chosen then: only the
  // SIMD capability flag can be checked.
  // (tf.findBackend would *start* the backend, so look at the engine's registry instead.)
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  const wasmAlreadyUp = backend === 'wasm' && registry.wasm !== undefined;
  if (backend === 'wasm') {
    if (!wasmAlreadyUp) pointWasmAtFiles(env);
    registerWasmTrainingKernels();
  }
  if (!(await tf.setBackend(backend))) {
    throw new BackendUnavailableError(backend, 'tf.setBackend returned false');
  }
  await tf.ready();
  if (backend !== 'wasm') {
    return {
      backend: tf.getBackend(),
      simd: false,
      threads: 1,
      tensorflowModule: module,
    } satisfies BackendInfo;
  }
  const wasmFile = wasmAlreadyUp ? undefined : looked.at(-1);
  const binaryOk = wasmAlreadyUp || wasmFile?.includes('simd') === true;
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') && binaryOk;
  if (!simd && env.GRAFT_ALLOW_NO_SIMD !== '1') {
    throw new SimdUnavailableError(
      `WASM_HAS_SIMD_SUPPORT=${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, loaded ${wasmFile ?? 'unknown'}, expected ${SIMD_WASM_FILE}`,
    );
  }
  const threads = wasmFile?.includes('threaded')
    ? Math.max(1, tf.env().getNumber('WASM_THREADS_COUNT') || 1)
    : 1;
  return { backend: tf.getBackend(), simd, threads, wasmFile } satisfies BackendInfo;
}

/**
 * Initialises the tfjs backend once per process and returns how it runs.
 *
 * Choice: `GRAFT_BACKEND` > `options.backend` > automatic (`tensorflow` when
 * `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` imports, else `wasm`); `cpu` only when
 * asked. For wasm it points tfjs at the binaries ({@link wasmFilesDir}), checks that the SIMD binary
 * is the one loaded (else {@link SimdUnavailableError} unless `GRAFT_ALLOW_NO_SIMD=1`) and
 * registers Graft's wasm training kernels.
 *
 * Idempotent: later calls return the same info. Asking for a *different* backend afterwards throws
 * {@link BackendMismatchError} — Graft never switches backends implicitly (tensors living on the
 * old backend would silently migrate). A failed initialisation may be retried.
 *
 * @example
 * ```ts
 * const info = await initBackend();
 * console.log(info.backend, info.simd); // 'wasm' true
 * ```
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  if (ready !== undefined) {
    if (!isPinned(options.backend, env)) return ready;
    return ready.then((info) => {
      const wanted = selectBackend({ requested: options.backend, env, tensorflowAvailable: false }).backend;
      if (active !== undefined && wanted !== active) throw new BackendMismatchError(active, wanted);
      return info;
    });
  }
  ready = (async () => {
    const pinned = isPinned(options.backend, env);
    const module = pinned ? undefined : await probeTensorflow();
    const choice = selectBackend({
      requested: options.backend,
      env,
      tensorflowAvailable: module !== undefined,
    });
    let tfModule = module;
    if (choice.backend === 'tensorflow' && tfModule === undefined) {
      tfModule = await probeTensorflow();
      if (tfModule === undefined) {
        throw new BackendUnavailableError(
          'tensorflow',
          'neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node imports',
        );
      }
    }
    const info = await start(choice.backend, env, tfModule);
    active = choice.backend;
    return info;
  })().catch((err: unknown) => {
    ready = undefined;
    active = undefined;
    if (err instanceof RuntimeError) throw err;
    throw new BackendUnavailableError(options.backend ?? 'auto', String((err as Error)?.message ?? err), {
      cause: err,
    });
  });
  return ready;
}
