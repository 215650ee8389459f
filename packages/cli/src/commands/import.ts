import { importFolder } from '@graft/datasets';
import { s3ClientFor } from '@graft/local-aws';
import { S3BlobStore } from '@graft/storage';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';
import { CliError, UsageError } from '../errors.js';
import { intFlag } from '../flags.js';

/** `graft import <dir> --dataset <name>` — uploads a folder tree into a running Graft's S3 (events do the rest). */
export const importCommand: Command = {
  summary: 'Upload a folder tree <label>/<file> or <split>/<label>/<file> as a data set of a running Graft.',
  usage:
    'graft import <dir> --dataset <name> [--input-size 96] [--cut block_13_expand_relu] [--concurrency 8] [--json]',
  options: {
    ...connectionOptions,
    dataset: { type: 'string' },
    'input-size': { type: 'string' },
    cut: { type: 'string' },
    concurrency: { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const dir = positionals[0];
    if (!dir) throw new UsageError('which folder? graft import <dir> --dataset <name>');
    if (!flags.dataset) throw new UsageError('--dataset <name> is required');
    const { info } = await connect(flags);
    const endpoint = info?.s3Endpoint ?? process.env.GRAFT_S3_ENDPOINT;
    if (!endpoint || !info)
      throw new CliError(
        'not_running',
        'cannot find the S3 endpoint of the running Graft (start it with graft start)',
      );
    const local = endpoint.startsWith('http://127.0.0.1');
    const client = s3ClientFor({
      endpoint,
      bucket: info.bucket,
      region: process.env.AWS_REGION ?? 'us-east-1',
      ...(local ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
    });
    const store = new S3BlobStore(client, info.bucket);
    const result = await importFolder(store, String(flags.dataset), dir, {
      config: {
        backbone: 'mobilenet_v2',
        inputSize: intFlag(flags, 'input-size', 96),
        cut: String(flags.cut ?? 'block_13_expand_relu'),
      },
      concurrency: intFlag(flags, 'concurrency', 8),
      onProgress: ({ done, total }) => out.progress('upload', done, total),
    });
    client.destroy();
    out.result({ ...result });
    return 0;
  },
};
