/**
 * A `graft start` child process for API benchmarks: spawned on a data directory, timed from spawn to its first
 * successful prediction, stopped with SIGTERM; its resident memory read from /proc.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GRAFT_BIN } from '@graft/cli';
import { BARE_PREDICT_SERVER } from './bare-predict-server.js';
import { type StartReports, startReports } from './cold-start.js';

/** A running API process and what its start cost. */
export interface ApiProcess {
  apiUrl: string;
  pid: number;
  /** Spawn → the start command's JSON line (S3, workers, API listening). */
  listeningMs: number;
  /** Spawn → first 200 from the predict route (includes loading the model on the first request). */
  firstPredictionMs: number;
  /** What the process reported: its start by step (`startup` of the start line) and its first model load. */
  reported: StartReports;
  /** Resident set size of the process now, MiB (worker threads included: they share the process). */
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Spawns `node packages/cli/bin/graft.js start --json` on `dataDir` and polls the predict route with `body` until it
 * answers 200 (or `timeoutMs` passes).
 *
 * @example
 * ```ts
 * const api = await startApiProcess({ dataDir, token, model: 'digits', body: jpeg });
 * console.log(api.firstPredictionMs);
 * await api.stop();
 * ```
 */
export async function startApiProcess(options: {
  dataDir: string;
  token: string;
  model: string;
  body: Uint8Array;
  timeoutMs?: number;
  /** More `graft start` flags (`--inference-threads 2`). */
  args?: string[];
}): Promise<ApiProcess> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // A start after an edit first rebuilds the command line's bundle: do that here, untimed, so the cold start below is
  // what a user's second and later starts take.
  await promisify(execFile)(process.execPath, [GRAFT_BIN, '--help']);
  const t0 = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, GRAFT_API_TOKEN: options.token };
  for (const name of ['GRAFT_S3_ENDPOINT', 'GRAFT_PORT', 'GRAFT_BUCKET']) delete env[name];
  const child = spawn(
    process.execPath,
    [
      GRAFT_BIN,
      'start',
      '--json',
      '--data-dir',
      path.resolve(options.dataDir),
      '--port',
      '0',
      '--workers',
      '1',
      ...(options.args ?? []),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => stopChild(child);
  const reports = startReports(child);
  try {
    const line = await firstJsonLine(child, timeoutMs);
    const listeningMs = performance.now() - t0;
    const apiUrl = String(line.apiUrl);
    const url = `${apiUrl}/v1/models/${encodeURIComponent(options.model)}/predict?topK=3`;
    for (;;) {
      if (performance.now() - t0 > timeoutMs) throw new Error('the API answered no prediction in time');
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'image/jpeg' },
        body: options.body as Uint8Array<ArrayBuffer>,
      }).catch(() => undefined);
      if (response?.ok) {
        await response.arrayBuffer();
        break;
      }
      await response?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const firstPredictionMs = performance.now() - t0;
    return {
      apiUrl,
      pid: child.pid!,
      listeningMs,
      firstPredictionMs,
      reported: await reports.settled(line),
      rssMb: async () => {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
        return kb / 1024;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts the bare `node:http` reference server (`bare-predict-server.ts`) on a version's files serialized at
 * `filesPath`, inferring where the API does (`threads`).
 *
 * @example
 * ```ts
 * const bare = await startBarePredictServer(filesPath, 0);
 * await fetch(bare.apiUrl, { method: 'POST', body: jpeg });
 * await bare.stop();
 * ```
 */
export async function startBarePredictServer(filesPath: string, threads: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', BARE_PREDICT_SERVER, filesPath, String(threads)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = () => stopChild(child);
  try {
    const line = await firstJsonLine(child, 120_000);
    return { apiUrl: String(line.apiUrl), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function firstJsonLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`the server printed nothing in time\n${stderr.slice(-1500)}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.stdout?.on('data', (d) => {
      buffer += d;
      for (const line of buffer.split('\n')) {
        if (!line.trim().startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (typeof parsed.apiUrl === 'string') {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          // not a whole line yet
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}\n${stderr.slice(-1500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
