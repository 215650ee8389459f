import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createStoreApp,
  inferenceConfig,
  inferenceOptions,
  type ModelLoadEvent,
  originList,
  stepTimer,
} from '@graft/fn-api';
import type { MemorySample } from '@graft/runtime';
import { type LocalS3, S3BlobStore, startLocalS3 } from '@graft/storage';
import { serve } from '@hono/node-server';
import { EXTRACT_WORKER_ENTRY, type ExtractBatchResult } from './extract-worker-entry.js';
import { LocalJobRunner } from './local-job-runner.js';
import { LocalQueue, type QueueMessage } from './local-queue.js';
import { type S3Connection, s3ClientFor } from './s3-connection.js';
import { WorkerPool } from './worker-pool.js';

/** Options of {@link startRuntime}. */
export interface RuntimeOptions {
  /** Where the embedded S3 keeps its data (default `.graft`). */
  dataDir?: string;
  /** API port on 127.0.0.1 (0 = any free port; default 8787, or `GRAFT_PORT`). */
  port?: number;
  /** Extraction worker threads (default: one per core). */
  workers?: number;
  /** Bearer token of the API (default `GRAFT_API_TOKEN`, else a random one). */
  token?: string;
  bucket?: string;
  /** Another S3 instead of the embedded one (default `GRAFT_S3_ENDPOINT`). Its events do not reach this runtime. */
  s3Endpoint?: string;
  /** How often the API re-reads a model's serving pointer (ms). */
  refreshMs?: number;
  /**
   * Seconds without work after which the extraction and training worker threads are stopped (the next upload or
   * job starts them again, in a few seconds); default `GRAFT_IDLE_WORKER_SECONDS`, else 300; 0 keeps them.
   */
  idleWorkerSeconds?: number;
  /** Receives one line per notable event (worker crash, dead letter, job failure). */
  log?(message: string): void;
  /** Wall-time budget of one training job in seconds (default `GRAFT_JOB_MAX_SECONDS`, else 4 h). */
  maxJobSeconds?: number;
  /** Told about every model version the API loads, with how long each step took. */
  onModelLoad?(event: ModelLoadEvent): void;
  /** Most concurrent predictions of one model run as one batch (default `GRAFT_MAX_BATCH`, else 8; 1 = none). */
  maxBatchSize?: number;
  /**
   * Inference worker threads of the API: a count, `auto` (one per CPU but one, at least one) or 0 = the request thread
   * (default `GRAFT_INFERENCE_THREADS`, else 0; `auto` measured best with `graft bench api`).
   */
  inferenceThreads?: number | 'auto';
}

/** Counts of what the fan-out did since start. */
export interface FanOutStats {
  events: number;
  extracted: number;
  duplicate: number;
  rejected: number;
  ignored: number;
  retried: number;
  deadLettered: number;
  workerRestarts: number;
}

/**
 * Where a runtime's memory is: the process's RSS (every thread together) and a sample of each thread's own heaps —
 * the main thread (API, embedded S3 server, event fan-out), each extraction worker, the training worker.
 */
export interface RuntimeMemory {
  rssMb: number;
  main: MemorySample;
  extractWorkers: (MemorySample | undefined)[];
  jobWorker: MemorySample | undefined;
}

/** A running local Graft: embedded S3, event fan-out to an extraction pool, job runner and API. */
export interface Runtime {
  apiUrl: string;
  token: string;
  s3Endpoint: string;
  /** The key pair of the embedded S3 (undefined with another S3: its clients use the default AWS credentials). */
  s3Credentials?: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  client: S3Client;
  store: S3BlobStore;
  stats: FanOutStats;
  /**
   * How long starting took (ms), by step: `s3` (the embedded server), `jobs` (marking interrupted jobs), `app` (the
   * API built), `listen`.
   */
  startup: { totalMs: number; phasesMs: Record<string, number> };
  /** Resolves when every event so far has been processed (or dead-lettered). */
  extractionIdle(): Promise<void>;
  /** Resolves when every submitted training job has finished. */
  jobsIdle(): Promise<void>;
  /** Samples the process's RSS and each thread's heaps (soak diagnostics; `collect`: after a full GC in each). */
  memory(options?: { collect?: boolean }): Promise<RuntimeMemory>;
  /** Kills one extraction worker (fault tests). */
  killWorker(index: number): Promise<void>;
  /** Kills the training worker; the job it runs is marked failed (fault tests). */
  killJobWorker(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts Graft on one machine with the same handlers as in AWS: the embedded S3 server's object-created events
 * (exactly S3's JSON) go through a local SQS-like queue to a pool of worker threads running the extract Lambda
 * handler; training jobs run in a worker thread; the Hono API serves on 127.0.0.1.
 *
 * @example
 * ```ts
 * const runtime = await startRuntime({ dataDir: '.graft', port: 0 });
 * console.log(runtime.apiUrl, runtime.token);
 * await runtime.close();
 * ```
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const idle = idleWorkers(options);
  const dataDir = path.resolve(options.dataDir ?? '.graft');
  const bucket = options.bucket ?? process.env.GRAFT_BUCKET ?? 'graft';
  const external = options.s3Endpoint ?? process.env.GRAFT_S3_ENDPOINT;
  const token = options.token ?? process.env.GRAFT_API_TOKEN ?? randomBytes(24).toString('base64url');
  const timer = stepTimer();
  // the data folder holds the S3 key pair, the bucket and runtime.json (the API token): owner only
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);

  let local: LocalS3 | undefined;
  let s3: S3Connection;
  if (external) {
    s3 = { endpoint: external, bucket, region: process.env.AWS_REGION ?? 'us-east-1' };
  } else {
    local = await timer.step('s3', startLocalS3({ dir: path.join(dataDir, 's3'), bucket }));
    s3 = {
      endpoint: local.endpoint,
      bucket,
      region: 'us-east-1',
      credentials: local.credentials,
    };
  }
  // Everything started so far is stopped again if a later step fails (a bad token, a port in use), so a failed
  // start exits instead of hanging on open handles.
  const started: (() => unknown)[] = [];
  if (local) started.push(() => local.close());
  try {
    const client = local?.client ?? s3ClientFor(s3);
    const store = new S3BlobStore(client, bucket);

    const stats: FanOutStats = {
      events: 0,
      extracted: 0,
      duplicate: 0,
      rejected: 0,
      ignored: 0,
      retried: 0,
      deadLettered: 0,
      workerRestarts: 0,
    };
    const pool = new WorkerPool<QueueMessage[], ExtractBatchResult>({
      entry: EXTRACT_WORKER_ENTRY,
      size: options.workers ?? os.availableParallelism(),
      config: { s3 },
      // Started by the first S3 event: a runtime that only serves predictions never loads the extraction code.
      lazy: true,
      ...idle,
      onWorkerExit: ({ index, code, error }) => {
        stats.workerRestarts++;
        log(
          `extraction worker ${index} exited (code ${code}${error ? `: ${error.message}` : ''}); restarted`,
        );
      },
    });
    started.push(() => pool.close());
    const queue = new LocalQueue({
      concurrency: options.workers ?? os.availableParallelism(),
      consume: async (messages) => {
        const result = await pool.run(messages);
        for (const outcome of result.outcomes) {
          const kind = outcome.kind as keyof FanOutStats;
          if (kind in stats) stats[kind]++;
        }
        stats.retried += result.batchItemFailures.length;
        return result;
      },
      onDeadLetter: async (message, reason) => {
        stats.deadLettered++;
        log(`dead letter ${message.messageId} after ${message.receiveCount} receives: ${reason}`);
        const record = {
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          reason,
          body: JSON.parse(message.body),
        };
        await mkdir(path.join(dataDir, 'dead-letters'), { recursive: true });
        await writeFile(
          path.join(dataDir, 'dead-letters', `${message.messageId}-${Date.now()}.json`),
          JSON.stringify(record, null, 2),
        );
      },
    });
    const unsubscribe = local?.onObjectCreated((record) => {
      stats.events++;
      queue.send(JSON.stringify({ Records: [record] }));
    });

    const runner = new LocalJobRunner({
      s3,
      onError: (jobId, error) => log(`training job ${jobId} crashed: ${error.message}`),
      ...jobBudget(options.maxJobSeconds ?? process.env.GRAFT_JOB_MAX_SECONDS),
      ...idle,
    });
    // Jobs a previous process left queued or running can never finish: say so before taking new ones.
    const interrupted = await timer.step('jobs', runner.recover());
    if (interrupted.length > 0)
      log(
        `${interrupted.length} training job(s) left by a stopped Graft marked interrupted: ${interrupted.join(', ')}`,
      );
    started.push(
      () => runner.close(),
      () => queue.close(),
    );
    const fromEnv = inferenceConfig(process.env);
    const inference = await inferenceOptions({
      maxBatchSize: options.maxBatchSize ?? fromEnv.maxBatchSize,
      inferenceThreads: String(options.inferenceThreads ?? fromEnv.inferenceThreads ?? 0),
    });
    const app = await timer.step('app', () =>
      createStoreApp(store, {
        ...inference,
        runner,
        token,
        refreshMs: options.refreshMs,
        backboneUrlAllow: originList(process.env.GRAFT_BACKBONE_URL_ALLOW),
        onModelLoad: options.onModelLoad,
      }),
    );
    const requestedPort = options.port ?? Number(process.env.GRAFT_PORT ?? 8787);
    const server = await timer.step(
      'listen',
      new Promise<ReturnType<typeof serve>>((resolve, reject) => {
        const s = serve({ fetch: app.fetch, port: requestedPort, hostname: '127.0.0.1' }, () => resolve(s));
        s.once('error', reject);
      }),
    );
    const port = (server.address() as AddressInfo).port;

    return {
      apiUrl: `http://127.0.0.1:${port}`,
      token,
      s3Endpoint: s3.endpoint,
      ...(s3.credentials ? { s3Credentials: s3.credentials } : {}),
      bucket,
      client,
      store,
      stats,
      startup: timer.done(),
      async extractionIdle() {
        await local?.drainEvents();
        await queue.drained();
      },
      jobsIdle: () => runner.idle(),
      async memory(options = {}) {
        const [extractWorkers, jobWorker] = await Promise.all([pool.memory(options), runner.memory(options)]);
        // imported here: @graft/runtime loads tfjs, which a serving start must not wait for
        const main = (await import('@graft/runtime')).memorySample(options);
        return { rssMb: process.memoryUsage().rss / 2 ** 20, main, extractWorkers, jobWorker };
      },
      killWorker: (index) => pool.kill(index),
      killJobWorker: () => runner.kill(),
      async close() {
        unsubscribe?.();
        queue.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
        // the served models: their inference threads (if any) end here, or their ports would keep the process alive
        app.serving.dispose();
        await Promise.all([pool.close(), runner.close()]);
        await local?.close();
      },
    };
  } catch (error) {
    for (const stop of started.reverse()) await Promise.resolve(stop()).catch(() => {});
    throw error;
  }
}

function jobBudget(value: number | string | undefined): { maxJobSeconds?: number } {
  if (value === undefined || value === '') return {};
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds > 0))
    throw new Error(`GRAFT_JOB_MAX_SECONDS must be a positive number of seconds, got '${value}'`);
  return { maxJobSeconds: seconds };
}

/** The worker pools' `idleMs` from {@link RuntimeOptions.idleWorkerSeconds} (0 or invalid: keep the workers). */
function idleWorkers(options: RuntimeOptions): { idleMs?: number } {
  const seconds = Number(options.idleWorkerSeconds ?? process.env.GRAFT_IDLE_WORKER_SECONDS ?? 300);
  return Number.isFinite(seconds) && seconds > 0 ? { idleMs: seconds * 1000 } : {};
}
