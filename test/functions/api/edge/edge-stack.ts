/**
 * The Node API (real socket, embedded S3, real registry) and the edge build of the same API running in workerd
 * (Miniflare) over the same bucket, for the edge tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ApiStack, startApiStack } from '@graft/bench';
import { buildEdge, type RunningEdge, startEdge } from '@graft/cli';

/** Both APIs and a way to stop them. */
export interface EdgeStack {
  node: ApiStack;
  edge: RunningEdge;
  close(): Promise<void>;
}

/** Starts the Node API, builds the Worker and runs it in workerd against the Node API's bucket. */
export async function startEdgeStack(options: { refreshMs?: number } = {}): Promise<EdgeStack> {
  const root = await mkdtemp(path.join(tmpdir(), 'graft-edge-'));
  const node = await startApiStack({ dir: root, refreshMs: options.refreshMs, defaultModel: 'tiny' });
  const build = await buildEdge({ outDir: path.join(root, 'worker') });
  const edge = await startEdge({
    build,
    bindings: {
      GRAFT_BUCKET: node.s3.bucket,
      GRAFT_S3_ENDPOINT: node.s3.endpoint,
      GRAFT_API_TOKEN: node.token,
      GRAFT_S3_ACCESS_KEY_ID: node.s3.credentials.accessKeyId,
      GRAFT_S3_SECRET_ACCESS_KEY: node.s3.credentials.secretAccessKey,
      GRAFT_MODEL_NAME: 'tiny',
      ...(options.refreshMs ? { GRAFT_REFRESH_MS: String(options.refreshMs) } : {}),
    },
  });
  return {
    node,
    edge,
    async close() {
      await edge.close();
      await node.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One prediction answer. */
export interface Answer {
  status: number;
  body: {
    version?: number;
    predictions?: { label: string; score: number }[];
    error?: { code: string; message: string };
  };
}

/** POSTs image bytes to `<base>/v1/models/<model>/predict`. */
export async function predictAt(
  base: string,
  token: string,
  bytes: Uint8Array,
  query = 'topK=2',
  model = 'tiny',
): Promise<Answer> {
  const res = await fetch(`${base}/v1/models/${model}/predict?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}
