import type { CommandSet } from '@graft/cli';

/**
 * The commands this workspace adds to `graft` (registered by the CLI's bin/graft.js when the workspace is
 * installed): `graft bench <name>` and `graft eval <name>`.
 *
 * @example
 * ```ts
 * import { main } from '@graft/cli';
 * process.exitCode = await main(['bench', 'report'], commands);
 * ```
 */
export const commands: CommandSet = {
  bench: {
    help: 'benchmarks: kernels, trunk, train, pipeline, api, faults, all',
    load: async () => (await import('./bench.js')).benchCommand,
  },
  eval: {
    help: 'accuracy evaluations: mnist-transfer, fashion, fashion-features, scenarios, small-data, product-scenarios',
    load: async () => (await import('./eval.js')).evalCommand,
  },
};
