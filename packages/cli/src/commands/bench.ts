import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeBenchmarksMd } from '../benches/benchmarks-md.js';
import { type BenchRun as Bench, loadRun } from '../benches/types.js';
import { UsageError } from '../errors.js';
import type { Command } from '../main.js';

/** Entries that run or summarise the others (not written as results of their own). */
const AGGREGATES = new Set(['all', 'report']);

const benches: Record<string, () => Promise<Bench>> = {
  /**
   * Every benchmark and evaluation in one run (what `npm run bench` calls). With --out each result is written to
   * test/bench/results/<name>.json and BENCHMARKS.md is regenerated; one failure does not stop the others.
   */
  all: async () => async (flags, log) => {
    const { evals } = await import('./eval.js');
    const jobs: [string, 'bench' | 'eval', () => Promise<Bench>][] = [
      ...Object.keys(benches)
        .filter((n) => !AGGREGATES.has(n))
        .map((n) => [n, 'bench', benches[n]!] as [string, 'bench', () => Promise<Bench>]),
      ...Object.entries(evals).map(
        ([n, run]) => [n, 'eval', async () => run] as [string, 'eval', () => Promise<Bench>],
      ),
    ];
    const results: Record<string, unknown> = {};
    const failed: string[] = [];
    for (const [name, kind, load] of jobs) {
      log(`${kind} ${name} …`);
      const started = performance.now();
      try {
        const result = {
          [kind]: name,
          ...(await (
            await load()
          )(kind === 'bench' ? flags : { out: flags.out }, log)),
          seconds: (performance.now() - started) / 1000,
        };
        if (flags.out) await writeResult(name, result);
        results[name] = result;
      } catch (error) {
        failed.push(name);
        log(`${kind} ${name} failed: ${(error as Error).message}`);
        results[name] = { error: (error as Error).message };
      }
    }
    if (flags.out) log(`wrote ${await writeBenchmarksMd(process.cwd())}`);
    if (failed.length > 0) throw new Error(`failed: ${failed.join(', ')} (the others' results were written)`);
    return results;
  },
  /** Regenerates BENCHMARKS.md from the committed results without running anything. */
  report: async () => async () => ({ written: await writeBenchmarksMd(process.cwd()) }),
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
    // faults (src/benches/faults.ts)
    'fault-rate': { type: 'string' },
    'swap-concurrency': { type: 'string' },
    seed: { type: 'string' },
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
    if (flags.out && !AGGREGATES.has(name)) await writeResult(name, result);
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
