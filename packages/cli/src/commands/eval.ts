import { type BenchRun as Eval, loadRun } from '../benches/types.js';
import { UsageError } from '../errors.js';
import { intFlag } from '../flags.js';
import type { Command } from '../main.js';
import { writeResult } from './bench.js';

/** Every evaluation by name (`graft bench all` runs them after the benchmarks). */
export const evals: Record<string, Eval> = {
  'mnist-transfer': async (flags, log) => {
    const { evalMnistTransfer } = await import('../evals/mnist-transfer.js');
    return {
      ...(await evalMnistTransfer({
        perDigit: flags['per-class'] === undefined ? undefined : intFlag(flags, 'per-class', 0),
        scratch: Boolean(flags.scratch),
        seed: intFlag(flags, 'seed', 1),
        log,
      })),
    };
  },
  // Each of these lives in src/evals/<name>.ts and exports `run: BenchRun`.
  fashion: async (flags, log) => (await loadRun('../evals/fashion.js', "evaluation 'fashion'"))(flags, log),
  scenarios: async (flags, log) =>
    (await loadRun('../evals/scenarios.js', "evaluation 'scenarios'"))(flags, log),
};

/** `graft eval <name> [--json] [--out]` — accuracy evaluations on real data sets against published anchors. */
export const evalCommand: Command = {
  summary: 'Run an accuracy evaluation and print its result (one JSON object as the last line with --json).',
  usage: `graft eval <${Object.keys(evals).join('|')}> [--per-class N] [--scratch] [--seed N] [--train N] [--test N] [--epochs N] [--input-size N] [--seeds N] [--small N] [--large N] [--cells a,b] [--out] [--json]`,
  options: {
    'per-class': { type: 'string' },
    scratch: { type: 'boolean' },
    seed: { type: 'string' },
    out: { type: 'boolean' },
    // fashion / scenarios (src/evals/*.ts)
    train: { type: 'string' },
    test: { type: 'string' },
    epochs: { type: 'string' },
    'input-size': { type: 'string' },
    seeds: { type: 'string' },
    small: { type: 'string' },
    large: { type: 'string' },
    cells: { type: 'string' },
    'large-epochs': { type: 'string' },
    'source-epochs': { type: 'string' },
    'source-train': { type: 'string' },
    filters: { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const name = positionals[0];
    const run = name ? evals[name] : undefined;
    if (!name || !run)
      throw new UsageError(`unknown evaluation '${name ?? ''}' (one of ${Object.keys(evals).join(', ')})`);
    const result = { eval: name, ...(await run(flags, (m) => out.info(m))) };
    if (flags.out) await writeResult(name, result);
    out.result(result);
    return 0;
  },
};
