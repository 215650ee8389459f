import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the `graft` executable script (for tools that spawn `graft start` as a child process).
 *
 * @example
 * ```ts
 * spawn(process.execPath, [GRAFT_BIN, 'start', '--json']);
 * ```
 */
export const GRAFT_BIN = fileURLToPath(new URL('../bin/graft.js', import.meta.url));
