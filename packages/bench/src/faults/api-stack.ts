/**
 * The API as it runs locally, for the fault scenarios: embedded S3, the real model registry and job store,
 * the Hono app over a real socket on 127.0.0.1.
 */

import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createApp, RegistryModelSource, StoreJobs } from '@graft/fn-api';
import { type LocalS3, ModelRegistry, S3BlobStore, startLocalS3 } from '@graft/storage';
import { serve } from '@hono/node-server';

/**
 * Options of {@link startApiStack}.
 *
 * @example
 * ```ts
 * const options: ApiStackOptions = { dir, refreshMs: 200, bodyLimitBytes: 65536 };
 * ```
 */
export interface ApiStackOptions {
  /** Folder for the embedded S3's data. */
  dir: string;
  token?: string;
  refreshMs?: number;
  bodyLimitBytes?: number;
  defaultModel?: string;
}

/**
 * A running API over its own embedded S3.
 *
 * @example
 * ```ts
 * const stack: ApiStack = await startApiStack({ dir });
 * await stack.registry.publish('tiny', { ...files, report: {} });
 * ```
 */
export interface ApiStack {
  url: string;
  token: string;
  s3: LocalS3;
  store: S3BlobStore;
  registry: ModelRegistry;
  app: ReturnType<typeof createApp>;
  /** Submitted training job ids (the runner only records them). */
  submitted: string[];
  close(): Promise<void>;
}

/**
 * Starts the stack on a free port.
 *
 * @example
 * ```ts
 * const stack = await startApiStack({ dir, refreshMs: 200, defaultModel: 'tiny' });
 * await fetch(`${stack.url}/ready`);
 * await stack.close();
 * ```
 */
export async function startApiStack(options: ApiStackOptions): Promise<ApiStack> {
  const s3 = await startLocalS3({ dir: path.join(options.dir, 's3'), bucket: 'graft-api' });
  const store = new S3BlobStore(s3.client, s3.bucket);
  const registry = new ModelRegistry(store);
  const token = options.token ?? 'fault-token-0123456789';
  const submitted: string[] = [];
  const app = createApp({
    models: new RegistryModelSource(registry),
    jobs: new StoreJobs(store),
    runner: { submit: async (id: string) => void submitted.push(id) },
    store,
    token,
    refreshMs: options.refreshMs,
    bodyLimitBytes: options.bodyLimitBytes,
    defaultModel: options.defaultModel,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    s3,
    store,
    registry,
    app,
    submitted,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      app.serving.dispose();
      await s3.close();
    },
  };
}
