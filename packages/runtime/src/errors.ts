import { GraftError } from '@graft/errors';

/**
 * Typed errors of `@graft/runtime`. Every error carries a machine-readable `code`.
 */

/**
 * Base class of every runtime error.
 *
 * @example
 * ```ts
 * try { await initBackend(); } catch (err) { if (err instanceof RuntimeError) console.log(err.code); }
 * ```
 */
export class RuntimeError extends GraftError {
  override name = 'RuntimeError';
}

/**
 * A backend name that Graft does not know (from an option or `GRAFT_BACKEND`).
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'webgpu' as never }).catch((e) => e.code); // 'invalid_backend'
 * ```
 */
export class InvalidBackendError extends RuntimeError {
  override name = 'InvalidBackendError';
  constructor(value: string, source: string) {
    super('invalid_backend', `Unknown backend '${value}' (from ${source}); expected wasm, cpu or tensorflow`);
  }
}

/**
 * The requested backend cannot run here (e.g. `tensorflow` without tfjs-node installed).
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'tensorflow' }).catch((e) => e.code); // 'backend_unavailable'
 * ```
 */
export class BackendUnavailableError extends RuntimeError {
  override name = 'BackendUnavailableError';
  constructor(backend: string, reason: string, options?: { cause?: unknown }) {
    super('backend_unavailable', `Backend '${backend}' is unavailable: ${reason}`, options);
  }
}

/**
 * The WASM backend loaded without SIMD (set `GRAFT_ALLOW_NO_SIMD=1` to accept the ~4× slower binary).
 *
 * @example
 * ```ts
 * await initBackend().catch((e) => e.code === 'simd_unavailable');
 * ```
 */
export class SimdUnavailableError extends RuntimeError {
  override name = 'SimdUnavailableError';
  constructor(detail: string) {
    super(
      'simd_unavailable',
      `WASM SIMD is not in use (${detail}); set GRAFT_ALLOW_NO_SIMD=1 to run without it`,
    );
  }
}

/**
 * `initBackend` was already called with a different backend in this process. Graft does not switch
 * backends behind the caller's back: tensors created on the old backend would silently move.
 *
 * @example
 * ```ts
 * await initBackend({ backend: 'wasm' });
 * await initBackend({ backend: 'cpu' }).catch((e) => e.code); // 'backend_mismatch'
 * ```
 */
export class BackendMismatchError extends RuntimeError {
  override name = 'BackendMismatchError';
  constructor(active: string, requested: string) {
    super('backend_mismatch', `Backend '${active}' is already initialised; cannot switch to '${requested}'`);
  }
}

/**
 * The tfjs-backend-wasm `.wasm` binaries could not be found in any of the searched folders.
 *
 * @example
 * ```ts
 * try { wasmFilesDir(); } catch (e) { console.log((e as WasmFilesNotFoundError).searched); }
 * ```
 */
export class WasmFilesNotFoundError extends RuntimeError {
  override name = 'WasmFilesNotFoundError';
  /** Folders that were searched, in order. */
  readonly searched: string[];
  constructor(searched: string[]) {
    super('wasm_files_not_found', `tfjs-backend-wasm binaries not found; searched: ${searched.join(', ')}`);
    this.searched = searched;
  }
}

/**
 * A training kernel received inputs it cannot handle (bad shapes, dtype or data format).
 *
 * @example
 * ```ts
 * // thrown from inside tf ops, e.g. a non-float32 input to Conv2DBackpropFilter on wasm
 * ```
 */
export class KernelInputError extends RuntimeError {
  override name = 'KernelInputError';
  constructor(kernel: string, message: string) {
    super('kernel_input', `${kernel}: ${message}`);
  }
}
