/**
 * Serving throughput for `graft bench api` (issue 15): the raw batch baseline — the served model on batches of 16
 * in this process, no HTTP, on as many threads as the server infers on — and the figures that compare the HTTP
 * load rows with it and with raw single-image inference.
 */
import os from 'node:os';
import { loadBundle } from '@graft/core';
import type { ClassifyRequest, Settled, VersionFiles } from '@graft/fn-api';
import { classifyBatch } from '@graft/fn-api/bundle-model';
import { InferenceThread } from '@graft/fn-api/inference-pool';
import { round } from './bench-stats.js';

/** Images per batch of the raw baseline. */
export const RAW_BATCH_SIZE = 16;

/**
 * The raw baseline, started: `imagesPerSec(rounds)` runs `rounds` batches on every thread at once (or on this
 * thread when `threads` is 0). Each image is the encoded request body: decoding and preparing it are part of the
 * work, as in the server.
 *
 * @example
 * ```ts
 * const raw = await startRawBatch(files, { threads: 2, image: jpeg });
 * const rps = await raw.imagesPerSec(10);
 * await raw.close();
 * ```
 */
export async function startRawBatch(files: VersionFiles, options: { threads: number; image: Uint8Array }) {
  const requests: ClassifyRequest[] = Array.from({ length: RAW_BATCH_SIZE }, () => ({
    image: options.image,
    options: { topK: 3 },
  }));
  const single = requests.slice(0, 1);
  const runners: { run(batch?: ClassifyRequest[]): Promise<void>; close(): Promise<void> }[] = [];
  if (options.threads === 0) {
    const bundle = await loadBundle(files);
    runners.push({
      run: async (batch = requests) => expectAllOk(await classifyBatch(bundle, batch)),
      close: async () => bundle.dispose(),
    });
  } else {
    const threads = Array.from({ length: options.threads }, () => new InferenceThread(files));
    await Promise.all(threads.map((t) => t.ready));
    for (const t of threads)
      runners.push({
        run: async (batch = requests) => expectAllOk(await t.run(batch)),
        close: () => t.close(),
      });
  }
  const all = (rounds: number) =>
    Promise.all(
      runners.map(async (r) => {
        for (let i = 0; i < rounds; i++) await r.run();
      }),
    );
  await all(1);
  return {
    async imagesPerSec(rounds: number): Promise<number> {
      const t0 = performance.now();
      await all(rounds);
      return (runners.length * rounds * RAW_BATCH_SIZE * 1000) / (performance.now() - t0);
    },
    /**
     * Time of one image alone (a batch of one) where the server infers: on this thread or a worker (then the thread
     * hop is part of it, as in the server), for the c=1 comparison.
     */
    async singleOnceMs(): Promise<number> {
      const t0 = performance.now();
      await runners[0]!.run(single);
      return performance.now() - t0;
    },
    /** Classifies `image` alone (top 3) where the server infers; throws when it cannot be classified. */
    classifyOnce: (image: Uint8Array) => runners[0]!.run([{ image, options: { topK: 3 } }]),
    close: async () => {
      await Promise.all(runners.map((r) => r.close()));
    },
  };
}

function expectAllOk(outcomes: Settled<unknown>[]): void {
  const failed = outcomes.find((o) => !o.ok);
  if (failed && !failed.ok) throw new Error(`the raw batch failed: ${String(failed.error)}`);
}

/** One load level of the bench. */
export interface LoadRow {
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  rps: number;
  /**
   * At c=1: the median of requests timed one by one with `performance.now()` over a kept-alive `node:http`
   * connection (autocannon's percentiles are whole milliseconds: at 4–6 ms that alone moves a ratio by up to 25 %).
   */
  p50PreciseMs?: number;
  /** At c=1: the median `GET /health` round trip timed the same way: what any route pays before its own work. */
  httpFloorMs?: number;
  /** At c=1: the median of one image alone where the server infers, timed in turn with the requests above. */
  rawC1Ms?: number;
  /** At c=1: the median of the same image through a bare `node:http` server running the same model, timed in turn. */
  bareC1Ms?: number;
}

/**
 * The throughput figures of one run, side by side, with the targets: `batchingEfficiency` = rps at c=32 /
 * raw batch rps (≥ 0.85), p50 at c=1 ≤ 1.1 × raw single-image inference, p99 at c=32 ≤ 3 × its p50.
 *
 * @example
 * ```ts
 * throughputFigures({ rows, rawBatchRps: 120, rawC1Ms: 14.3, inferenceThreads: 2, maxBatchSize: 16 });
 * ```
 */
export function throughputFigures(input: {
  rows: LoadRow[];
  rawBatchRps: number;
  rawC1Ms: number;
  /** The bare `node:http` server's p50 at c=1 (the reference any Node server pays), when measured. */
  bareC1Ms?: number;
  inferenceThreads: number;
  maxBatchSize: number;
}) {
  const { rows, rawBatchRps, rawC1Ms, bareC1Ms } = input;
  const c1 = rows.find((r) => r.concurrency === 1);
  const c32 = rows.find((r) => r.concurrency === 32);
  const efficiency = c32 ? c32.rps / rawBatchRps : Number.NaN;
  const c1Ms = c1 ? (c1.p50PreciseMs ?? c1.p50Ms) : undefined;
  const c1Ratio = c1Ms === undefined ? Number.NaN : c1Ms / rawC1Ms;
  const tail = c32 ? c32.p99Ms / c32.p50Ms : Number.NaN;
  return {
    rawBatchRps: round(rawBatchRps, 1),
    rawBatchSize: RAW_BATCH_SIZE,
    rpsAt32: c32?.rps ?? null,
    batchingEfficiency: round(efficiency, 3),
    p50C1Ms: c1Ms === undefined ? null : round(c1Ms),
    rawC1Ms: round(rawC1Ms),
    p50C1Ratio: round(c1Ratio, 3),
    httpFloorC1Ms: c1?.httpFloorMs ?? null,
    // the same model behind a bare node:http server: its ratio to raw is what any Node server pays on this machine,
    // the route's ratio to it what Graft's HTTP layer adds
    bareC1Ms: bareC1Ms === undefined ? null : round(bareC1Ms),
    bareC1Ratio: bareC1Ms === undefined ? null : round(bareC1Ms / rawC1Ms, 3),
    p50C1OverBare: bareC1Ms === undefined || c1Ms === undefined ? null : round(c1Ms / bareC1Ms, 3),
    p50At32Ms: c32?.p50Ms ?? null,
    p99At32Ms: c32?.p99Ms ?? null,
    p99OverP50At32: round(tail, 2),
    inferenceThreads: input.inferenceThreads,
    maxBatchSize: input.maxBatchSize,
    // the machine is shared: how busy it was when the run ended (1-minute load average, and its cores)
    loadAverage: round(os.loadavg()[0] ?? Number.NaN, 1),
    cores: os.availableParallelism(),
    targetsMet: {
      batchingEfficiency: efficiency >= 0.85,
      p50C1: c1Ratio <= 1.1,
      p99At32: tail <= 3,
    },
  };
}
