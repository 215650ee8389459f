import { BackboneRegistry, BUNDLED_BACKBONE_ID, bundledManifest } from '@graft/backbones';
import { inspectBackbone, loadBackbone } from '@graft/core';
import { initBackend } from '@graft/runtime';
import { withBucket } from '../../bucket.js';
import type { Command } from '../../command.js';
import { UsageError } from '../../errors.js';
import { intFlag } from '../../flags.js';
import { printManifest } from './print.js';

/**
 * `graft backbone inspect <id>` prints a backbone's manifest (the bundled one needs no running Graft);
 * `graft backbone inspect [--dir PATH] [--input-size N]` loads the bundled model or a model folder and lists every
 * layer (output shape, parameters, source or retrained weights) and its cuts.
 *
 * @example
 * ```ts
 * await inspectBackboneCommand({ flags: { json: true }, positionals: ['inspect', 'mobilenet_v2'], out });
 * ```
 */
export const inspectBackboneCommand: Command['run'] = async ({ flags, positionals, out }) => {
  const id = positionals[1];
  if (id !== undefined) {
    if (flags.dir) throw new UsageError('give a backbone id or --dir, not both');
    const manifest =
      id === BUNDLED_BACKBONE_ID
        ? await bundledManifest()
        : await withBucket(flags, (store) => new BackboneRegistry(store).get(id));
    printManifest(manifest, out);
    return 0;
  }
  const name = (flags.backbone as string | undefined) ?? BUNDLED_BACKBONE_ID;
  if (!flags.dir && name !== BUNDLED_BACKBONE_ID)
    throw new UsageError(
      `use graft backbone inspect ${name} for a registered backbone (or --dir for a folder)`,
    );
  await initBackend();
  const backbone = await loadBackbone(
    flags.dir ? { kind: 'dir', path: String(flags.dir) } : { kind: 'default' },
    {
      inputSize: intFlag(flags, 'input-size', 224),
    },
  );
  const inspection = inspectBackbone(backbone);
  if (!out.json) {
    for (const layer of inspection.layers) {
      out.info(
        `${String(layer.index).padStart(4)} ${layer.name.padEnd(28)} ${layer.className.padEnd(22)} ${JSON.stringify(layer.outputShape).padEnd(22)} ${String(layer.params).padStart(8)} ${layer.trainable ? 'retrained' : 'source'}`,
      );
    }
    out.info(`cuts: ${inspection.cuts.map((c) => c.name).join(', ')}`);
  }
  out.result({ ...inspection });
  backbone.model.dispose();
  return 0;
};
