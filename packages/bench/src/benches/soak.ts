/**
 * `graft bench soak`: the local stack (`graft start`'s runtime: embedded S3, extraction worker, job runner, API) under
 * mixed load for a set time — `--concurrency` (8) clients posting predictions back to back, one client reading the
 * model's report page every second, and every `--train-every` seconds a training job through the API that
 * publishes the next version of the served model (which the API swaps to while the load runs; the load goes on
 * past the set time until a training in flight has published). It reports every
 * failed request, the process's RSS and tfjs tensor count after warm-up and at the end, the p99 latency of
 * the predictions in the first and the last full training cycle ({@link SoakLatencies}), and memory sampled every
 * `--sample-every` seconds after a full GC in each thread (RSS, each thread's V8 and wasm heaps): the RSS growth
 * after warm-up compares the medians of the samples in the first and the last memory window (a sixth of the run,
 * 1–3 minutes; {@link growthAfterWarmup}).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { numberFlag } from '@graft/cli';
import { startRuntime } from '@graft/local-aws';
import { initBackend, tf } from '@graft/runtime';
import { importDigits, trainThroughApi } from './api-model.js';
import { benchJpeg } from './bench-image.js';
import { round } from './bench-stats.js';
import { LatencyHistogram } from './latency-histogram.js';
import { growthAfterWarmup, type MemoryPoint, memoryPoint } from './soak-memory.js';
import type { BenchRun } from './types.js';

const MODEL = 'soak';
const DATASET = 'soak-digits';

/**
 * Flags: `--minutes 10`, `--concurrency 8`, `--train-every 120` (seconds between training starts), `--per-class 10`
 * (training digits per class), `--input-size 96`, `--refresh-ms 1000` (how often the API re-reads the serving pointer),
 * `--sample-every 15` (seconds between memory samples).
 *
 * @example
 * ```ts
 * const result = await run({ minutes: '0.5', 'train-every': '10' }, console.log);
 * console.log(result.failed, result.tensorsStart, result.tensorsEnd);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const minutes = numberFlag(flags, 'minutes', 10);
  const concurrency = Math.max(1, Math.round(numberFlag(flags, 'concurrency', 8)));
  const trainEveryMs = Math.max(1, numberFlag(flags, 'train-every', 120)) * 1000;
  const perClass = Math.max(1, Math.round(numberFlag(flags, 'per-class', 10)));
  const inputSize = Math.round(numberFlag(flags, 'input-size', 96));
  const refreshMs = Math.max(100, Math.round(numberFlag(flags, 'refresh-ms', 1000)));
  const sampleEveryMs = Math.max(1, numberFlag(flags, 'sample-every', 15)) * 1000;
  await initBackend({ backend: 'wasm' });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-bench-soak-'));
  // Workers are kept however long they idle: the soak looks for growth in a steady state.
  const runtime = await startRuntime({ dataDir, port: 0, workers: 1, refreshMs, log, idleWorkerSeconds: 0 });
  try {
    log(`importing ${perClass} digits per class and training version 1 …`);
    await importDigits(runtime, DATASET, { perClass, inputSize });
    await trainThroughApi(runtime, { dataset: DATASET, model: MODEL });
    const jpeg = Buffer.from(await benchJpeg(224));
    const headers = { authorization: `Bearer ${runtime.token}` };
    const failures: string[] = [];
    const predict = async (): Promise<boolean> => {
      try {
        const res = await fetch(`${runtime.apiUrl}/v1/models/${MODEL}/predict?topK=3`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'image/jpeg' },
          body: jpeg,
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`predict ${res.status}`);
        return res.status === 200;
      } catch (error) {
        failures.push(`predict: ${(error as Error).message}`);
        return false;
      }
    };
    const reportPage = async (): Promise<void> => {
      try {
        const res = await fetch(`${runtime.apiUrl}/v1/models/${MODEL}/report`, { headers });
        const body = await res.text();
        if (res.status !== 200 || !body.includes('<html')) failures.push(`report ${res.status}`);
      } catch (error) {
        failures.push(`report: ${(error as Error).message}`);
      }
    };

    // Warm-up: every client path once, the model loaded and its kernels compiled, before the baseline.
    for (let i = 0; i < 2 * concurrency; i++) await predict();
    await reportPage();
    const warmupFailures = failures.length;
    failures.length = 0;
    const tensorsStart = tf.memory().numTensors;
    const rssStartMb = process.memoryUsage().rss / 2 ** 20;

    const durationMs = minutes * 60_000;
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const latencies = new SoakLatencies(durationMs, trainEveryMs);
    let requests = 0;
    let trainings = 0;
    let trainingsFailed = 0;
    let published = 0;
    let training = false;
    // The load runs for the set time and, past it, until a training in flight has published (always under load).
    const loading = () => elapsed() < durationMs || training;
    let rssPeakMb = rssStartMb;
    const rssTimer = setInterval(() => {
      rssPeakMb = Math.max(rssPeakMb, process.memoryUsage().rss / 2 ** 20);
    }, 1000);
    const memory: MemoryPoint[] = [];
    const sampleMemory = async () => {
      const point = memoryPoint(elapsed() / 1000, await runtime.memory({ collect: true }), published);
      memory.push(point);
      log(`memory ${JSON.stringify(point)}`);
    };
    await sampleMemory();
    const memoryTimer = setInterval(() => void sampleMemory(), sampleEveryMs);
    log(
      `load for ${minutes} min: c=${concurrency} predictions, report pages, a training every ${trainEveryMs / 1000} s …`,
    );

    const predictor = async () => {
      while (loading()) {
        const atMs = elapsed();
        const ok = await predict();
        requests++;
        if (ok) latencies.record(atMs, elapsed() - atMs);
      }
    };
    const reader = async () => {
      while (loading()) {
        await reportPage();
        requests++;
        await sleep(1000);
      }
    };
    const trainer = async () => {
      let next = trainEveryMs;
      while (true) {
        await sleep(Math.max(0, next - elapsed()));
        if (elapsed() >= durationMs) return;
        next = elapsed() + trainEveryMs;
        trainings++;
        training = true;
        try {
          const { seconds } = await trainThroughApi(runtime, { dataset: DATASET, model: MODEL });
          published++;
          log(
            `training ${trainings} published a new version in ${round(seconds, 1)} s (${requests} requests so far)`,
          );
        } catch (error) {
          trainingsFailed++;
          failures.push(`training: ${(error as Error).message}`);
        } finally {
          training = false;
        }
      }
    };
    await Promise.all([...Array.from({ length: concurrency }, predictor), reader(), trainer()]);
    clearInterval(rssTimer);
    clearInterval(memoryTimer);

    // The last published version is served (the API re-read its pointer), then the end state is taken.
    await sleep(2 * refreshMs);
    for (let i = 0; i < concurrency; i++) await predict();
    const tensorsEnd = tf.memory().numTensors;
    const rssEndMb = process.memoryUsage().rss / 2 ** 20;
    const windows = latencies.result();
    const loadMs = elapsed();
    const growth = growthAfterWarmup(memory, Math.min(180, Math.max(60, durationMs / 6000)));
    const result = {
      minutes,
      requests,
      failed: failures.length,
      rssStartMb: round(rssStartMb, 1),
      rssEndMb: round(rssEndMb, 1),
      rssPeakMb: round(rssPeakMb, 1),
      rssGrowthPct: round((100 * (rssEndMb - rssStartMb)) / rssStartMb, 1),
      tensorsStart,
      tensorsEnd,
      p99FirstMs: windows.p99FirstMs,
      p99LastMs: windows.p99LastMs,
      p99Windows: windows.alignedToTrainings ? 'training cycles' : 'first and last fifth',
      p99ByCycleMs: windows.p99ByCycleMs,
      p50Ms: windows.p50Ms,
      predictions: windows.predictions,
      predictionsPerSec: round(windows.predictions / (loadMs / 1000), 1),
      trainings,
      trainingsFailed,
      concurrency,
      windowSeconds: round(windows.windowMs / 1000, 1),
      warmupFailures,
      failures: [...new Set(failures)].slice(0, 10),
      rssAfterWarmupMb: growth?.afterWarmup.rssMb,
      rssLastWindowMb: growth?.last.rssMb,
      rssGrowthAfterWarmupPct: growth?.growthPct,
      warmupSeconds: growth?.warmupS,
      memoryWindows: growth ? { afterWarmup: growth.afterWarmup, last: growth.last } : undefined,
      memory,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};

/**
 * The predictions' latencies, at the start and at the end of the run, over windows that see the same load. With two
 * or more full training cycles (a cycle is the time between training starts, each holding one training), the first
 * and the last full cycle are compared and every cycle's p99 is listed; otherwise the first and the last fifth of the
 * run (at most a minute). A first minute without training beside a last minute with one would read as a drift.
 * Counted in fixed-size histograms ({@link LatencyHistogram}): the soak's own bookkeeping must not grow the heap it
 * measures.
 *
 * @example
 * ```ts
 * const latencies = new SoakLatencies(600_000, 120_000);
 * latencies.record(130_000, 42);
 * latencies.result().p99ByCycleMs; // one entry per full cycle
 * ```
 */
export class SoakLatencies {
  private readonly all = new LatencyHistogram();
  private readonly cycles: LatencyHistogram[];
  private readonly first = new LatencyHistogram();
  private readonly last = new LatencyHistogram();
  private readonly windowMs: number;

  constructor(
    private readonly durationMs: number,
    private readonly cycleMs: number,
  ) {
    // Cycle i runs from i × cycleMs (a training starts) to the next start; cycle 0 is warm-up before the first one.
    const full = Math.floor(durationMs / cycleMs) - 1;
    this.cycles = Array.from({ length: Math.max(0, full) }, () => new LatencyHistogram());
    this.windowMs = Math.min(60_000, durationMs / 5);
  }

  /** One successful prediction, started `atMs` into the run, that took `ms`. */
  record(atMs: number, ms: number): void {
    this.all.record(ms);
    this.cycles[Math.floor(atMs / this.cycleMs) - 1]?.record(ms);
    if (atMs < this.windowMs) this.first.record(ms);
    if (atMs >= this.durationMs - this.windowMs) this.last.record(ms);
  }

  result(): {
    predictions: number;
    p50Ms: number;
    p99FirstMs: number;
    p99LastMs: number;
    p99ByCycleMs: number[];
    windowMs: number;
    alignedToTrainings: boolean;
  } {
    const p99 = (h: LatencyHistogram) => round(h.percentile(99), 1);
    const common = { predictions: this.all.count, p50Ms: round(this.all.percentile(50), 1) };
    if (this.cycles.length >= 2) {
      const p99ByCycleMs = this.cycles.map(p99);
      return {
        ...common,
        p99FirstMs: p99ByCycleMs[0]!,
        p99LastMs: p99ByCycleMs.at(-1)!,
        p99ByCycleMs,
        windowMs: this.cycleMs,
        alignedToTrainings: true,
      };
    }
    return {
      ...common,
      p99FirstMs: p99(this.first),
      p99LastMs: p99(this.last),
      p99ByCycleMs: [],
      windowMs: this.windowMs,
      alignedToTrainings: false,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
