import type { RunModule } from '../benches/types.js';

/**
 * Every accuracy evaluation by name, in the order `graft bench all` runs them (after the benchmarks). To add one:
 * write `src/evals/<name>.ts` exporting `run: BenchRun` and add a line here.
 *
 * @example
 * ```ts
 * const { run } = await evals.fashion();
 * const result = await run({ train: '100' }, console.log);
 * ```
 */
export const evals = {
  /** Digits 0–4 → 5–9 with frozen conv layers (the Keras mnist_transfer_cnn anchor). */
  'mnist-transfer': () => import('./mnist-transfer.js'),
  /** Fashion-MNIST on the bundled backbone's features (the 0.908 anchor). */
  fashion: () => import('./fashion.js'),
  /** Fashion-MNIST feature extraction at the bundled backbone's default cut and size, alone and with finer taps. */
  'fashion-features': () => import('./fashion-features.js'),
  /** Every strategy in the four scenarios (small/large × similar/different). */
  scenarios: () => import('./scenarios.js'),
  /** 10 classes at 20 and 50 images per class through the job path: `auto` against every explicit strategy. */
  'small-data': () => import('./small-data.js'),
  /** The four scenarios through the product path: develop job → backbone add → import → auto and every strategy. */
  'product-scenarios': () => import('./product-scenarios.js'),
  /** Out-of-distribution detection: a digits model against Fashion-MNIST, noise and photos; fashion 0–4 vs 5–9. */
  'open-set': () => import('./open-set.js'),
} satisfies Record<string, RunModule>;
