import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the monorepo root (the folder holding `package-lock.json`), derived from this
 * file's location so `cdk synth` and the tests work from any working directory.
 *
 * @example
 * ```ts
 * path.join(REPO_ROOT, 'functions/extract/src/lambda.ts');
 * ```
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Absolute path of a file or folder inside the repository; throws when it does not exist so a
 * missing handler fails synth with a clear message instead of an esbuild stack trace.
 *
 * @example
 * ```ts
 * const entry = repoPath('functions/api/src/lambda.ts');
 * ```
 */
export function repoPath(relative: string): string {
  const full = path.join(REPO_ROOT, relative);
  if (!existsSync(full)) throw new Error(`Expected ${relative} in the repository (looked at ${full})`);
  return full;
}
