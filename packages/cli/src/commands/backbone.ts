import { inspectBackbone, loadBackbone } from '@graft/core';
import { initBackend } from '@graft/runtime';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

/**
 * `graft backbone inspect [--backbone mobilenet_v2] [--input-size 224] --json` — every layer with its output
 * shape, parameter count and whether its weights are the source's untouched ones, plus the cut points.
 */
export const backboneCommand: Command = {
  summary: 'Inspect a backbone: layers, output shapes, parameters, source-frozen layers and cut points.',
  usage: 'graft backbone inspect [--backbone mobilenet_v2 | --dir <model dir>] [--input-size 224] [--json]',
  options: { backbone: { type: 'string' }, dir: { type: 'string' }, 'input-size': { type: 'string' } },
  async run({ flags, positionals, out }) {
    if (positionals[0] !== 'inspect')
      throw new UsageError(`expected 'inspect', got '${positionals[0] ?? ''}'`);
    const name = (flags.backbone as string | undefined) ?? 'mobilenet_v2';
    if (!flags.dir && name !== 'mobilenet_v2')
      throw new UsageError(`unknown backbone '${name}' (bundled: mobilenet_v2; or pass --dir)`);
    const inputSize = Number(flags['input-size'] ?? 224);
    await initBackend();
    const backbone = await loadBackbone(
      flags.dir ? { kind: 'dir', path: String(flags.dir) } : { kind: 'default' },
      { inputSize },
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
  },
};
