import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalS3, S3BlobStore, startLocalS3 } from '@graft/storage';

/** A real embedded S3 server (startLocalS3) on a free port with a fresh temp directory. */
export interface TestS3 {
  s3: LocalS3;
  store: S3BlobStore;
  /** Parent of `dir`: anything written here but outside `dir` is an escape. */
  root: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'graft-test'): Promise<TestS3> {
  const root = await mkdtemp(path.join(tmpdir(), 'graft-storage-'));
  const dir = path.join(root, 'data', 'inner');
  const s3 = await startLocalS3({ dir, bucket });
  const store = new S3BlobStore(s3.client, s3.bucket);
  return {
    s3,
    store,
    root,
    dir,
    async close() {
      await s3.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
