import { BackboneRegistry, summarizeManifest } from '@graft/backbones';
import { withBucket } from '../../bucket.js';
import type { Command } from '../../command.js';

/**
 * `graft backbone list` — every backbone of the running Graft (the bundled mobilenet_v2 first); the `--json`
 * last line is `{"backbones": [{"id": …}, …]}`.
 *
 * @example
 * ```ts
 * await listBackbones({ flags: { json: true }, positionals: ['list'], out });
 * ```
 */
export const listBackbones: Command['run'] = async ({ flags, out }) => {
  const backbones = await withBucket(flags, async (store) =>
    (await new BackboneRegistry(store).list()).map(summarizeManifest),
  );
  if (!out.json) {
    for (const b of backbones)
      out.info(
        `${b.id.padEnd(24)} ${b.name.padEnd(16)} ${b.provenance.kind.padEnd(10)} ${b.defaultInputSize} px  cut ${b.defaultCut}`,
      );
  }
  out.result({ backbones });
  return 0;
};
