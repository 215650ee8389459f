import { BackboneRegistry } from '@graft/backbones';
import { importFolder } from '@graft/datasets';
import { withBucket } from '../bucket.js';
import type { Command } from '../command.js';
import { connectionOptions } from '../connection.js';
import { datasetBackbone } from '../dataset-backbone.js';
import { UsageError } from '../errors.js';
import { intFlag, nameFlag } from '../flags.js';

/** `graft import <dir> --dataset <name>` — uploads a folder tree into a running Graft's S3 (events do the rest). */
export const importCommand: Command = {
  summary: 'Upload a folder tree <label>/<file> or <split>/<label>/<file> as a data set of a running Graft.',
  usage:
    'graft import <dir> --dataset <name> [--backbone mobilenet_v2] [--input-size N] [--cut LAYER] [--concurrency 8] [--json]  (size and cut default to the backbone’s)',
  options: {
    ...connectionOptions,
    dataset: { type: 'string' },
    backbone: { type: 'string' },
    'input-size': { type: 'string' },
    cut: { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const dir = positionals[0];
    if (!dir) throw new UsageError('which folder? graft import <dir> --dataset <name>');
    if (!flags.dataset) throw new UsageError('--dataset <name> is required');
    const result = await withBucket(flags, async (store) =>
      importFolder(store, nameFlag(flags, 'dataset'), dir, {
        config: await datasetBackbone(new BackboneRegistry(store), flags),
        concurrency: intFlag(flags, 'concurrency', 8),
        onProgress: ({ done, total }) => out.progress('upload', done, total),
      }),
    );
    out.result({ ...result });
    if (!out.json)
      out.info(
        `Extraction runs in the background. Next: graft train --dataset ${result.dataset} --model <name> (it lists the files it could not use).`,
      );
    return 0;
  },
};
