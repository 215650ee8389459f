import { type Command, UsageError } from '@graft/cli';
import { evals } from '../evals/registry.js';
import { writeResult } from '../results.js';

const NAMES = Object.keys(evals);

/**
 * `graft eval <name> [--json] [--out]` — accuracy evaluations on real data sets against published anchors.
 *
 * @example
 * ```ts
 * await main(['eval', 'fashion', '--train', '100', '--json'], commands);
 * ```
 */
export const evalCommand: Command = {
  summary: 'Run an accuracy evaluation and print its result (one JSON object as the last line with --json).',
  usage: `graft eval <${NAMES.join('|')}> [--per-class N] [--scratch] [--seed N] [--train N] [--test N] [--epochs N] [--input-size N] [--seeds N] [--small N] [--large N] [--cells a,b] [--sizes 20,50] [--strategies a,b] [--val N] [--outliers N] [--noise N] [--photos DIR] [--cut L] [--taps a,b|none] [--hidden N] [--dropout X] [--out] [--json]`,
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
    hidden: { type: 'string' },
    dropout: { type: 'string' },
    seeds: { type: 'string' },
    small: { type: 'string' },
    large: { type: 'string' },
    cells: { type: 'string' },
    'large-epochs': { type: 'string' },
    'source-epochs': { type: 'string' },
    'source-train': { type: 'string' },
    filters: { type: 'string' },
    // small-data (src/evals/small-data.ts)
    sizes: { type: 'string' },
    strategies: { type: 'string' },
    val: { type: 'string' },
    outliers: { type: 'string' },
    noise: { type: 'string' },
    photos: { type: 'string' },
    // product-scenarios (src/evals/product-scenarios.ts)
    'budget-seconds': { type: 'string' },
    // fashion-features (src/evals/fashion-features.ts)
    cut: { type: 'string' },
    taps: { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const name = positionals[0];
    if (!name || !Object.hasOwn(evals, name))
      throw new UsageError(`unknown evaluation '${name ?? ''}' (one of ${NAMES.join(', ')})`);
    const { run } = await evals[name as keyof typeof evals]();
    const result = { eval: name, ...(await run(flags, (m) => out.info(m))) };
    if (flags.out) await writeResult(name, result);
    out.result(result);
    return 0;
  },
};
