import { InvalidBackendError } from './errors.js';

/** Backends Graft can run on. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow';

/** Native tfjs bindings probed for the `tensorflow` backend, best first. */
export const TENSORFLOW_MODULES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** What decided the backend. */
export type BackendSource = 'env' | 'option' | 'auto';

/** Outcome of {@link selectBackend}. */
export interface BackendChoice {
  backend: BackendName;
  source: BackendSource;
}

const NAMES: readonly string[] = ['wasm', 'cpu', 'tensorflow'];

function parse(value: string, source: string): BackendName {
  const v = value.trim().toLowerCase();
  if (!NAMES.includes(v)) throw new InvalidBackendError(value, source);
  return v as BackendName;
}

/**
 * Decides the backend (pure: no imports, no globals). Precedence: `GRAFT_BACKEND` (operator
 * override) > the `backend` option > automatic (`tensorflow` when a native binding can be
 * imported, else `wasm`). `cpu` is never chosen automatically.
 *
 * @example
 * ```ts
 * selectBackend({ env: {}, tensorflowAvailable: false }); // { backend: 'wasm', source: 'auto' }
 * selectBackend({ env: { GRAFT_BACKEND: 'cpu' }, tensorflowAvailable: true }); // cpu, from env
 * ```
 */
export function selectBackend(input: {
  requested?: string;
  env: Record<string, string | undefined>;
  tensorflowAvailable: boolean;
}): BackendChoice {
  const fromEnv = input.env.GRAFT_BACKEND;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { backend: parse(fromEnv, 'GRAFT_BACKEND'), source: 'env' };
  }
  if (input.requested !== undefined) return { backend: parse(input.requested, 'option'), source: 'option' };
  return { backend: input.tensorflowAvailable ? 'tensorflow' : 'wasm', source: 'auto' };
}

/** Whether the caller pinned the backend (then native bindings need not be probed). */
export function isPinned(requested: string | undefined, env: Record<string, string | undefined>): boolean {
  return requested !== undefined || (env.GRAFT_BACKEND !== undefined && env.GRAFT_BACKEND.trim() !== '');
}

/**
 * Imports the first native tfjs binding that loads (registering the `tensorflow` backend), or
 * returns undefined. Never a hard dependency: a missing or broken module is just skipped.
 *
 * @example
 * ```ts
 * const mod = await probeTensorflow(); // '@tensorflow/tfjs-node' or undefined
 * ```
 */
export async function probeTensorflow(
  modules: readonly string[] = TENSORFLOW_MODULES,
  load: (name: string) => Promise<unknown> = (name) => import(/* @vite-ignore */ name),
): Promise<string | undefined> {
  for (const name of modules) {
    try {
      await load(name);
      return name;
    } catch {
      // not installed or cannot load its native library: try the next one
    }
  }
  return undefined;
}
