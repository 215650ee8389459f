import { s3ClientFor } from '@graft/local-aws';
import { S3BlobStore } from '@graft/storage';
import type { Flags } from './command.js';
import { connect } from './connection.js';
import { CliError } from './errors.js';

/**
 * Runs `work` over the bucket of the running Graft, found like {@link connect} finds its API (`runtime.json` of
 * `graft start`, or `GRAFT_S3_ENDPOINT`; for the embedded server the key pair `graft start` recorded in
 * `runtime.json`, else the default AWS credentials), then closes the client.
 *
 * @example
 * ```ts
 * const result = await withBucket(flags, (store) => importFolder(store, 'pets', dir, { config }));
 * ```
 */
export async function withBucket<T>(flags: Flags, work: (store: S3BlobStore) => Promise<T>): Promise<T> {
  const { info } = await connect(flags);
  const endpoint = info?.s3Endpoint ?? process.env.GRAFT_S3_ENDPOINT;
  if (!endpoint || !info)
    throw new CliError(
      'not_running',
      'cannot find the S3 endpoint of the running Graft (start it with graft start)',
    );
  const local = info.s3Credentials !== undefined && endpoint === info.s3Endpoint;
  const client = s3ClientFor({
    endpoint,
    bucket: info.bucket,
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(local ? { credentials: info.s3Credentials } : {}),
  });
  try {
    return await work(new S3BlobStore(client, info.bucket));
  } finally {
    client.destroy();
  }
}
