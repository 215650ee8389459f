import { type Command, UsageError } from '@graft/cli';
import { writeBenchmarksMd } from '../benches/benchmarks-md.js';
import { benches } from '../benches/registry.js';
import type { BenchRun } from '../benches/types.js';
import { evals } from '../evals/registry.js';
import { writeResult } from '../results.js';

/** Names that run or summarise the others (not written as results of their own). */
const AGGREGATES = {
  /**
   * Every benchmark and evaluation in one run (what `npm run bench` calls). With --out each result is written to
   * test/bench/results/<name>.json and BENCHMARKS.md is regenerated; one failure does not stop the others.
   */
  all: runAll,
  /** Regenerates BENCHMARKS.md from the committed results without running anything. */
  report: async () => ({ written: await writeBenchmarksMd(process.cwd()) }),
} satisfies Record<string, BenchRun>;

const NAMES = [...Object.keys(benches), ...Object.keys(AGGREGATES)];

async function runAll(flags: Parameters<BenchRun>[0], log: Parameters<BenchRun>[1]) {
  const jobs = [
    ...Object.entries(benches).map(([name, load]) => ({ name, kind: 'bench' as const, load })),
    ...Object.entries(evals).map(([name, load]) => ({ name, kind: 'eval' as const, load })),
  ];
  const results: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const { name, kind, load } of jobs) {
    log(`${kind} ${name} …`);
    const started = performance.now();
    try {
      const { run } = await load();
      const result = {
        [kind]: name,
        ...(await run(kind === 'bench' ? flags : { out: flags.out }, log)),
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
}

async function benchNamed(name: string): Promise<BenchRun | undefined> {
  if (Object.hasOwn(AGGREGATES, name)) return AGGREGATES[name as keyof typeof AGGREGATES];
  if (Object.hasOwn(benches, name)) return (await benches[name as keyof typeof benches]()).run;
  return undefined;
}

/**
 * `graft bench <name> [--json] [--out]` — runs one benchmark and prints its result as the last JSON line;
 * `--out` also writes it to `test/bench/results/<name>.json`.
 *
 * @example
 * ```ts
 * await main(['bench', 'trunk', '--sizes', '96', '--json'], commands);
 * ```
 */
export const benchCommand: Command = {
  summary: 'Run a benchmark and print its result (one JSON object as the last line with --json).',
  usage: `graft bench <${NAMES.join('|')}> [--input-size N] [--batch N] [--iterations N] [--out] [--json]`,
  options: {
    'input-size': { type: 'string' },
    batch: { type: 'string' },
    iterations: { type: 'string' },
    out: { type: 'boolean' },
    // kernels (src/benches/kernels.ts)
    steps: { type: 'string' },
    'cpu-steps': { type: 'string' },
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
    'inference-threads': { type: 'string' },
    'max-batch': { type: 'string' },
    'raw-rounds': { type: 'string' },
    // faults (src/benches/faults.ts)
    'fault-rate': { type: 'string' },
    'swap-concurrency': { type: 'string' },
    seed: { type: 'string' },
    // soak (src/benches/soak.ts)
    minutes: { type: 'string' },
    'train-every': { type: 'string' },
    'refresh-ms': { type: 'string' },
    'sample-every': { type: 'string' },
    // fuzz (src/benches/fuzz.ts)
    cases: { type: 'string' },
    'case-timeout-ms': { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const name = positionals[0];
    const bench = name ? await benchNamed(name) : undefined;
    if (!name || !bench)
      throw new UsageError(`unknown benchmark '${name ?? ''}' (one of ${NAMES.join(', ')})`);
    const started = performance.now();
    const result = {
      bench: name,
      ...(await bench(flags, (m) => out.info(m))),
      seconds: (performance.now() - started) / 1000,
    };
    if (flags.out && !Object.hasOwn(AGGREGATES, name)) await writeResult(name, result);
    out.result(result);
    return 0;
  },
};
