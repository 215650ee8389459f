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
  bucket: string;
  pid: number;
  /** Access keys of the embedded S3 server, when it checks signatures with keys of its own (else its fixed local keys). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
}

const FILE = 'runtime.json';

/**
 * Records a running runtime in `<dataDir>/runtime.json` (mode 0600: it holds the token).
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
 * Finds the API to talk to: `--api-url`/`--token` flags, `GRAFT_API_URL`/`GRAFT_API_TOKEN`, or the
 * `runtime.json` a `graft start` in the same data directory wrote.
 *
 * @example
 * ```ts
 * const { api, info } = await connect(flags);
 * ```
 */
export async function connect(flags: Flags): Promise<{ api: ApiClient; info?: RuntimeInfo }> {
  const dataDir = path.resolve(String(flags['data-dir'] ?? '.graft'));
  let info: RuntimeInfo | undefined;
  try {
    info = JSON.parse(await readFile(path.join(dataDir, FILE), 'utf8')) as RuntimeInfo;
  } catch {
    info = undefined;
  }
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
