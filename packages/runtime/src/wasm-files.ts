import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WasmFilesNotFoundError } from './errors.js';

/** The binaries tfjs-backend-wasm may load; a bundler must copy all three into `wasm/`. */
export const WASM_FILE_NAMES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** The binary Graft expects to run (single-threaded SIMD; threads are unavailable in Node). */
export const SIMD_WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

function hasBinaries(dir: string): boolean {
  return existsSync(path.join(dir, SIMD_WASM_FILE));
}

function withSlash(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** Folder candidates in search order, for error messages and tests. */
export function wasmDirCandidates(env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  if (env.GRAFT_WASM_DIR) out.push(path.resolve(env.GRAFT_WASM_DIR));
  try {
    // After esbuild bundling, import.meta.url is the bundle: the CDK bundler copies the files to ./wasm/.
    out.push(fileURLToPath(new URL('./wasm/', import.meta.url)));
  } catch {
    // not a file: URL (edge runtimes) — nothing to look at on disk
  }
  try {
    const require = createRequire(import.meta.url);
    out.push(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // package not resolvable from here (bundled without node_modules)
  }
  return out;
}

/**
 * Finds the folder holding the tfjs-backend-wasm `.wasm` binaries: (a) `GRAFT_WASM_DIR`, (b) a
 * `wasm/` folder next to this (possibly bundled) module, (c) the installed package's `dist/`.
 * A `GRAFT_WASM_DIR` that lacks the binaries is an error rather than silently skipped.
 * Returns the folder with a trailing separator (the form `setWasmPaths` wants).
 *
 * @example
 * ```ts
 * // CDK bundling hook: copy the binaries next to the bundle
 * for (const f of WASM_FILE_NAMES) copyFileSync(join(wasmFilesDir(), f), join(outDir, 'wasm', f));
 * ```
 */
export function wasmFilesDir(env: Record<string, string | undefined> = process.env): string {
  const candidates = wasmDirCandidates(env);
  if (env.GRAFT_WASM_DIR) {
    const explicit = candidates[0] as string;
    if (!hasBinaries(explicit)) throw new WasmFilesNotFoundError([explicit]);
    return withSlash(explicit);
  }
  const found = candidates.find(hasBinaries);
  if (found === undefined) throw new WasmFilesNotFoundError(candidates);
  return withSlash(found);
}
