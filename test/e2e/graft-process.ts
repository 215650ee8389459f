/** Runs the real `graft` command line as a child process (shared by the end-to-end tests). */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GRAFT = path.join(ROOT, 'packages/cli/bin/graft.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** The environment of a child: no outside S3 and no preset token (the demo must pick its own). */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['GRAFT_S3_ENDPOINT', 'GRAFT_API_TOKEN', 'GRAFT_PORT', 'GRAFT_BUCKET']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

export function graft(
  args: string[],
  timeoutMs = 240_000,
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [GRAFT, ...args], {
      cwd: ROOT,
      env: childEnv(extraEnv),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`graft ${args[0]} timed out after ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** A `graft` child that keeps running (e.g. `demo` without `--exit`), with the JSON lines it printed so far. */
export interface Serving {
  child: ChildProcess;
  /** Resolves with the first stdout JSON line that has `field`. */
  line(field: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  stderr(): string;
}

/** Starts `graft <args>` (with `env` added to its environment) and leaves it running. */
export function graftServing(args: string[], env: Record<string, string> = {}): Serving {
  const child = spawn(process.execPath, [GRAFT, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const find = (field: string) =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((o) => field in o);
  return {
    child,
    stderr: () => stderr,
    async line(field, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = find(field);
        if (found) return found;
        if (child.exitCode !== null)
          throw new Error(`graft exited ${child.exitCode}: ${stderr.slice(-2000)}`);
        if (performance.now() > deadline)
          throw new Error(`no '${field}' line in time: ${stderr.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
