import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApiClient } from './api-client.js';
import type { Flags } from './command.js';
import { CliError } from './errors.js';

/** How other `graft` commands reach a running `graft start`. */
export interface RuntimeInfo {
  apiUrl: string;
  token: string;
  s3Endpoint: string;
  /** The embedded S3's key pair (absent when the runtime uses another S3). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  pid: number;
}

const FILE = 'runtime.json';

/**
 * The data folder a command works on: `--data-dir`, else `.graft`, as an absolute path.
 *
 * @example
 * ```ts
 * dataDirOf({}); // '/home/me/project/.graft'
 * ```
 */
export function dataDirOf(flags: Flags): string {
  return path.resolve(String(flags['data-dir'] ?? '.graft'));
}

/** The `runtime.json` a `graft start` wrote in `dataDir`, or undefined when there is none (or it is unreadable). */
async function readRuntimeInfo(dataDir: string): Promise<RuntimeInfo | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/**
 * Records a running runtime in `<dataDir>/runtime.json` (mode 0600: it holds the token and the S3 key pair).
 *
 * @example
 * ```ts
 * await writeRuntimeInfo('.graft', { apiUrl, token, s3Endpoint, bucket, pid: process.pid });
 * ```
 */
export async function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): Promise<() => Promise<void>> {
  const file = path.join(dataDir, FILE);
  await writeFile(file, JSON.stringify(info, null, 2), { mode: 0o600 });
  await chmod(file, 0o600);
  return () => rm(file, { force: true });
}

/**
 * Refuses to start a second Graft on a data folder one already runs on: two embedded S3 servers, job runners and
 * extraction workers over the same files would overwrite each other's objects and jobs. "Runs" means the process
 * `runtime.json` names is alive and its API answers `/health` (a file a crashed process left, or a reused pid, does
 * not stop anything).
 *
 * @example
 * ```ts
 * await assertNotRunning('.graft'); // throws CliError 'already_running' while a graft start serves from .graft
 * ```
 */
export async function assertNotRunning(dataDir: string): Promise<void> {
  const info = await readRuntimeInfo(dataDir);
  if (!info?.pid || info.pid === process.pid || !isAlive(info.pid)) return;
  const answers = await fetch(new URL('/health', info.apiUrl), { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (answers)
    throw new CliError(
      'already_running',
      `Graft already runs on ${path.resolve(dataDir)} (pid ${info.pid}, API ${info.apiUrl}): use it, stop it first, or give this one another --data-dir`,
    );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finds the API to talk to: `--api-url`/`--token` flags, `GRAFT_API_URL`/`GRAFT_API_TOKEN`, or the
 * `runtime.json` a `graft start` in the same data directory wrote.
 *
 * @example
 * ```ts
 * const { api, info } = await connect(flags);
 * ```
 */
export async function connect(flags: Flags): Promise<{ api: ApiClient; info?: RuntimeInfo }> {
  const dataDir = dataDirOf(flags);
  const info = await readRuntimeInfo(dataDir);
  const apiUrl = (flags['api-url'] as string | undefined) ?? process.env.GRAFT_API_URL ?? info?.apiUrl;
  const token = (flags.token as string | undefined) ?? process.env.GRAFT_API_TOKEN ?? info?.token;
  if (!apiUrl || !token) {
    throw new CliError(
      'not_running',
      `no running Graft found: start one with 'graft start' (it writes ${path.join(dataDir, FILE)}) or pass --api-url and --token`,
    );
  }
  return { api: new ApiClient(apiUrl, token), info };
}

/** Flags every client command accepts. */
export const connectionOptions = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;
