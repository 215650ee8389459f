/**
 * The extraction pipeline under faults, built from the local runtime's real parts: the embedded S3 emits AWS's
 * event JSON for each upload, a {@link LocalQueue} delivers it at least once (batchItemFailures → redelivery with
 * back-off), a {@link WorkerPool} of extract worker threads runs the real Lambda handler, and every S3 call of the
 * workers goes through the {@link startFaultProxy fault proxy}. Afterwards the store itself is checked: every
 * upload must end as exactly one feature object or one rejects record.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { rejectKey } from '@graft/extraction';
import { encodePng } from '@graft/imaging';
import {
  EXTRACT_WORKER_ENTRY,
  type ExtractBatchResult,
  LocalQueue,
  type QueueMessage,
  WorkerPool,
} from '@graft/local-aws';
import {
  decodeS3EventKey,
  FeatureStore,
  type LocalS3,
  NotFoundError,
  S3BlobStore,
  type S3EventRecordJson,
  startLocalS3,
} from '@graft/storage';
import { type FaultKind, type ProxiedRequest, startFaultProxy } from './fault-proxy.js';

/**
 * One object to upload and what must become of it: `predict` (a feature object) or a rejects `code`.
 *
 * @example
 * ```ts
 * const upload: ScenarioUpload = { key: 'datasets/d/train/a/x.png', bytes: png, expect: 'predict' };
 * ```
 */
export interface ScenarioUpload {
  key: string;
  bytes: Uint8Array;
  expect: string;
}

/**
 * The data set config the scenario writes (cheap defaults: 96 px, cut early).
 *
 * @example
 * ```ts
 * await store.put('datasets/d/graft.json', JSON.stringify(SCENARIO_CONFIG));
 * ```
 */
export const SCENARIO_CONFIG = { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_5_add' } as const;

/**
 * Options of {@link runPipelineScenario}.
 *
 * @example
 * ```ts
 * const options: PipelineScenarioOptions = { dir, uploads, faultRate: 0.1, deliverTwice: true };
 * ```
 */
export interface PipelineScenarioOptions {
  /** Folder for the embedded S3's data (must exist or be creatable; the caller removes it). */
  dir: string;
  /** Uploads; each key under `datasets/<dataset>/…` whose data set gets {@link SCENARIO_CONFIG}. */
  uploads: ScenarioUpload[];
  /** Fault rate of the proxy in front of S3 (default 0). */
  faultRate?: number;
  seed?: number;
  kinds?: FaultKind[];
  /** Extraction worker threads (default 2). */
  workers?: number;
  /** Attempts per S3 call inside the workers (default 1: every fault reaches the handler). */
  maxAttempts?: number;
  /** After everything settled, deliver every event once more (at-least-once duplicates). */
  deliverTwice?: boolean;
  /** Terminate the worker running the first batch of ≥ 5 messages this long after it started (a crash mid-batch). */
  killWorkerAfterMs?: number;
  maxReceiveCount?: number;
  backoffMs?: number;
  log?(message: string): void;
}

/**
 * What became of one upload, read back from the store (not through the proxy).
 *
 * @example
 * ```ts
 * const lost = result.fates.filter((f: UploadFate) => !f.feature && !f.rejectCode);
 * ```
 */
export interface UploadFate {
  key: string;
  expect: string;
  feature: boolean;
  rejectCode?: string;
}

/**
 * Result of {@link runPipelineScenario}.
 *
 * @example
 * ```ts
 * const { lost, injectedFaults }: PipelineScenarioResult = await runPipelineScenario(options);
 * ```
 */
export interface PipelineScenarioResult {
  images: number;
  injectedFaults: number;
  injected: Record<FaultKind, number>;
  /** Uploads that ended with a feature object. */
  processed: number;
  /**
   * `extracted` outcomes (trunk run, feature written, answer received). Fewer than `processed` when the answer
   * to a feature write was lost (reset): the redelivery then finds the feature and reports a duplicate.
   */
  extractedOutcomes: number;
  /** `duplicate` outcomes: redeliveries and re-sent events that found the feature already there. */
  duplicatesIgnored: number;
  /** Uploads that ended with a rejects record. */
  rejected: number;
  /** Uploads with neither a feature object nor a rejects record. */
  lost: number;
  /** Uploads whose end state differs from `expect` (lost ones included). */
  mismatches: UploadFate[];
  deadLettered: number;
  /** Messages the handler (or a crash) sent back for redelivery. */
  redelivered: number;
  workerRestarts: number;
  /** Batches that failed because their worker died, and the messages they held. */
  crashedBatches: number;
  crashedMessages: number;
  /** PUTs of feature objects that reached S3 (the proxy's log), in total and during the second delivery. */
  featureWrites: number;
  secondDelivery?: { extracted: number; featureWrites: number; rejectWrites: number };
  /** Peak RSS of this process (all threads) above its level once the workers had started, MB. */
  rssPeakDeltaMb: number;
  fates: UploadFate[];
  seconds: number;
}

/**
 * Runs the scenario and tears everything down again.
 *
 * @example
 * ```ts
 * const result = await runPipelineScenario({ dir, uploads, faultRate: 0.1, deliverTwice: true });
 * console.log(result.lost, result.injectedFaults); // 0 37
 * ```
 */
export async function runPipelineScenario(options: PipelineScenarioOptions): Promise<PipelineScenarioResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  await mkdir(options.dir, { recursive: true });
  const s3 = await startLocalS3({ dir: path.join(options.dir, 's3'), bucket: 'graft-faults' });
  const cleanups: (() => Promise<unknown>)[] = [() => s3.close()];
  try {
    const store = new S3BlobStore(s3.client, s3.bucket);
    const warm = { key: 'datasets/warmup/train/w/0.png', bytes: await encodePng(blank()), expect: 'predict' };
    const [warmRecord] = await uploadAll(s3, store, [warm]);
    const records = await uploadAll(s3, store, options.uploads);
    const proxy = await startFaultProxy({
      target: s3.endpoint,
      rate: 0,
      seed: options.seed ?? 1,
      kinds: options.kinds,
    });
    cleanups.unshift(() => proxy.close());
    // the workers sign for the proxy's address, which forwards that Host unchanged
    s3.allowHost(new URL(proxy.url).host);
    const restarts = { count: 0 };
    const pool = new WorkerPool<QueueMessage[], ExtractBatchResult>({
      entry: EXTRACT_WORKER_ENTRY,
      size: options.workers ?? 2,
      config: {
        s3: {
          endpoint: proxy.url,
          bucket: s3.bucket,
          region: 'us-east-1',
          credentials: s3.credentials,
          maxAttempts: options.maxAttempts ?? 1,
        },
      },
      onWorkerExit: ({ index, code }) => {
        restarts.count++;
        log(`extract worker ${index} exited (code ${code}); replaced`);
      },
    });
    cleanups.unshift(() => pool.close());
    await pool.started();
    // Every worker builds its trunk before the measured run (so RSS and timings are about the images).
    const warmMessage = {
      messageId: 'warmup',
      body: JSON.stringify({ Records: [warmRecord] }),
      receiveCount: 1,
    };
    await Promise.all(Array.from({ length: options.workers ?? 2 }, () => pool.run([warmMessage])));
    const rss = rssSampler();
    cleanups.unshift(async () => rss.stop());
    proxy.setRate(options.faultRate ?? 0);

    const tally = { extracted: 0, duplicate: 0, crashedBatches: 0, crashedMessages: 0 };
    let killArmed = options.killWorkerAfterMs !== undefined;
    const wireStart = proxy.log.length;
    const queue = new LocalQueue({
      concurrency: options.workers ?? 2,
      maxReceiveCount: options.maxReceiveCount ?? 12,
      backoffMs: options.backoffMs ?? 20,
      consume: async (messages) => {
        const running = pool.run(messages);
        if (killArmed && messages.length >= 5) {
          killArmed = false;
          const busyBefore = new Set(pool.busy());
          await new Promise((r) => setImmediate(r));
          // the worker this batch went to is the one that became busy for it
          const index = pool.busy().find((i) => !busyBefore.has(i)) ?? pool.busy()[0] ?? 0;
          setTimeout(() => void pool.kill(index), options.killWorkerAfterMs);
        }
        try {
          const result = await running;
          for (const outcome of result.outcomes) {
            if (outcome.kind === 'extracted') tally.extracted++;
            if (outcome.kind === 'duplicate') tally.duplicate++;
          }
          return result;
        } catch (error) {
          tally.crashedBatches++;
          tally.crashedMessages += messages.length;
          throw error;
        }
      },
      onDeadLetter: (message, reason) => log(`dead letter ${message.messageId}: ${reason}`),
    });
    cleanups.unshift(async () => queue.close());
    const send = () => {
      for (const record of records) queue.send(JSON.stringify({ Records: [record] }));
    };
    send();
    await queue.drained();
    log(`first delivery done: ${tally.extracted} extracted, ${proxy.counts.totalInjected} faults injected`);

    let secondDelivery: PipelineScenarioResult['secondDelivery'];
    if (options.deliverTwice) {
      const logAt = proxy.log.length;
      const extractedBefore = tally.extracted;
      send();
      await queue.drained();
      const wire = proxy.log.slice(logAt).filter((r) => r.method === 'PUT');
      secondDelivery = {
        extracted: tally.extracted - extractedBefore,
        featureWrites: wire.filter((r) => r.path.includes('/features/')).length,
        rejectWrites: wire.filter((r) => r.path.includes('/rejects/')).length,
      };
    }
    const rssPeakDeltaMb = rss.stop();
    proxy.setRate(0);
    const fates = await fatesOf(store, options.uploads);
    const mismatches = fates.filter((f) =>
      f.expect === 'predict' ? !f.feature || f.rejectCode : f.feature || f.rejectCode !== f.expect,
    );
    return {
      images: options.uploads.length,
      injectedFaults: proxy.counts.totalInjected,
      injected: { ...proxy.counts.injected },
      processed: fates.filter((f) => f.feature).length,
      extractedOutcomes: tally.extracted,
      duplicatesIgnored: tally.duplicate,
      rejected: fates.filter((f) => f.rejectCode).length,
      lost: fates.filter((f) => !f.feature && !f.rejectCode).length,
      mismatches,
      deadLettered: queue.stats.deadLettered,
      redelivered: queue.stats.retried,
      workerRestarts: restarts.count,
      crashedBatches: tally.crashedBatches,
      crashedMessages: tally.crashedMessages,
      featureWrites: featureWrites(proxy.log.slice(wireStart)),
      secondDelivery,
      rssPeakDeltaMb,
      fates,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

function featureWrites(log: ProxiedRequest[]): number {
  return log.filter(
    (r) => r.method === 'PUT' && r.path.includes('/features/') && !r.fault?.startsWith('error'),
  ).length;
}

async function uploadAll(
  s3: LocalS3,
  store: S3BlobStore,
  uploads: ScenarioUpload[],
): Promise<S3EventRecordJson[]> {
  const byKey = new Map<string, S3EventRecordJson>();
  const unsubscribe = s3.onObjectCreated((record) => {
    byKey.set(decodeS3EventKey(record.s3.object.key), record);
  });
  try {
    const datasets = new Set(uploads.map((u) => u.key.split('/')[1]).filter((d): d is string => Boolean(d)));
    for (const dataset of datasets) {
      await store.put(`datasets/${dataset}/graft.json`, JSON.stringify(SCENARIO_CONFIG)).catch(() => {});
    }
    for (const upload of uploads) await store.put(upload.key, upload.bytes);
    await s3.drainEvents();
  } finally {
    unsubscribe();
  }
  return uploads.map((u) => {
    const record = byKey.get(u.key);
    if (!record) throw new Error(`the embedded S3 emitted no event for ${u.key}`);
    return record;
  });
}

async function fatesOf(store: S3BlobStore, uploads: ScenarioUpload[]): Promise<UploadFate[]> {
  const features = new FeatureStore(store);
  const backboneId = `${SCENARIO_CONFIG.backbone}-${SCENARIO_CONFIG.inputSize}`;
  return Promise.all(
    uploads.map(async ({ key, bytes, expect }) => {
      const ref = await FeatureStore.refFor(bytes, backboneId, SCENARIO_CONFIG.cut);
      const dataset = key.split('/')[1] ?? '';
      const record = await store
        .get(await rejectKey(dataset, key))
        .then((b) => JSON.parse(new TextDecoder().decode(b)) as { code: string })
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
      return { key, expect, feature: await features.has(ref), rejectCode: record?.code };
    }),
  );
}

function blank() {
  return { width: 8, height: 8, data: new Uint8ClampedArray(8 * 8 * 4).fill(200) };
}

function rssSampler(): { stop(): number } {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round((peak - base) / 2 ** 20);
    },
  };
}
