import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BenchRun as Bench, loadRun } from '../benches/types.js';
import { UsageError } from '../errors.js';
import type { Command } from '../main.js';

const benches: Record<string, () => Promise<Bench>> = {
  /** Every benchmark in one run (what `npm run bench` calls); each result is also written with --out. */
  all: async () => async (flags, log) => {
    const results: Record<string, unknown> = {};
    for (const name of Object.keys(benches).filter((n) => n !== 'all')) {
      log(`bench ${name} …`);
      const result = await (await benches[name]!())(flags, log);
      if (flags.out) await writeResult(name, { bench: name, ...result });
      results[name] = result;
    }
    return results;
  },
  kernels: async () => async (flags) => {
    const { benchKernels } = await import('@graft/runtime');
    return { ...(await benchKernels({ steps: num(flags.steps), cpuSteps: num(flags['cpu-steps']) })) };
  },
  /** MobileNetV2 trunk: compiled vs tfjs-layers vs cpu, and the share of the wasm matmul peak (src/benches/trunk.ts). */
  trunk: () => loadRun('../benches/trunk.js', "benchmark 'trunk'"),
  // Each of these lives in src/benches/<name>.ts and exports `run: BenchRun`.
  ...Object.fromEntries(
    ['train', 'pipeline', 'api', 'faults'].map((name) => [
      name,
      () => loadRun(`../benches/${name}.js`, `benchmark '${name}'`),
    ]),
  ),
};

/**
 * `graft bench <name> [--json] [--out]` — runs one benchmark and prints its result as the last JSON line;
 * `--out` also writes it to `test/bench/results/<name>.json`.
 */
export const benchCommand: Command = {
  summary: 'Run a benchmark and print its result (one JSON object as the last line with --json).',
  usage: `graft bench <${Object.keys(benches).join('|')}> [--input-size N] [--batch N] [--iterations N] [--out] [--json]`,
  options: {
    'input-size': { type: 'string' },
    batch: { type: 'string' },
    iterations: { type: 'string' },
    steps: { type: 'string' },
    'cpu-steps': { type: 'string' },
    out: { type: 'boolean' },
    // trunk / train / pipeline / api (src/benches/*.ts)
    sizes: { type: 'string' },
    batches: { type: 'string' },
    'cpu-images': { type: 'string' },
    'peak-sizes': { type: 'string' },
    rounds: { type: 'string' },
    'cpu-samples': { type: 'string' },
    images: { type: 'string' },
    workers: { type: 'string' },
    duration: { type: 'string' },
    concurrency: { type: 'string' },
    'per-class': { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const name = positionals[0];
    const load = name ? benches[name] : undefined;
    if (!name || !load)
      throw new UsageError(`unknown benchmark '${name ?? ''}' (one of ${Object.keys(benches).join(', ')})`);
    const bench = await load();
    const started = performance.now();
    const result = {
      bench: name,
      ...(await bench(flags, (m) => out.info(m))),
      seconds: (performance.now() - started) / 1000,
    };
    if (flags.out) await writeResult(name, result);
    out.result(result);
    return 0;
  },
};

/** Writes a benchmark or evaluation result to `test/bench/results/<name>.json`. */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<void> {
  const dir = path.resolve('test/bench/results');
  await mkdir(dir, { recursive: true });
  const record = { ...result, machine: machineInfo(), date: new Date().toISOString() };
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

function machineInfo() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function num(value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`expected a number, got '${value}'`);
  return n;
}
