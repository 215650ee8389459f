/**
 * `graft bench api`: the prediction route under load. A model is trained and published as `graft demo` does, a
 * fresh `graft start` process serves it (time from spawn to first prediction = cold start), autocannon drives
 * `POST /v1/models/{name}/predict` with a 224 px JPEG over loopback at several concurrencies, and the same model
 * on the same image is timed in this process (decode + infer) between the load runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { numberFlag } from '@graft/cli';
import { DEFAULT_MAX_BATCH_SIZE } from '@graft/fn-api';
import { inferenceThreadCount } from '@graft/fn-api/inference-pool';
import { initBackend, tf } from '@graft/runtime';
import autocannon from 'autocannon';
import { publishDigitsModel } from './api-model.js';
import { startApiProcess, startBarePredictServer } from './api-server.js';
import { startRawBatch, throughputFigures } from './api-throughput.js';
import { serializeVersionFiles } from './bare-predict-server.js';
import { benchJpeg } from './bench-image.js';
import { listFlag, median, round } from './bench-stats.js';
import { coldStartBreakdown } from './cold-start.js';
import { timingClient } from './timed-requests.js';
import type { BenchRun } from './types.js';

const MODEL = 'digits';
const TOKEN = 'bench-token-0123456789abcdefghijklmnop';
/**
 * Inference threads the bench serves with unless `--inference-threads` says otherwise: `auto`, the setting the README
 * recommends for load (`graft start` itself defaults to 0, the request thread; `--inference-threads 0` measures that).
 */
const DEFAULT_BENCH_THREADS = 'auto';

/**
 * Flags: `--concurrency 1,8,32`, `--duration 10` (seconds per level), `--iterations 20` (in-process inferences before
 * and after each level), `--per-class 10` (training digits per class: enough that the job's check that the model learnt passes), `--input-size 96` (the model's input; the
 * request image is always 224×224).
 *
 * @example
 * ```ts
 * const result = await run({ concurrency: '1', duration: '1' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const levels = listFlag(flags, 'concurrency', [1, 8, 32]);
  const duration = Math.max(1, numberFlag(flags, 'duration', 10));
  const iterations = Math.max(3, Math.round(numberFlag(flags, 'iterations', 20)));
  const perClass = Math.max(1, Math.round(numberFlag(flags, 'per-class', 10)));
  const inputSize = Math.round(numberFlag(flags, 'input-size', 96));
  const serving = servingFlags(flags);
  await initBackend({ backend: 'wasm' });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-bench-api-'));
  try {
    log(`training ${MODEL} on ${perClass} digits per class at ${inputSize} px …`);
    const tensorsBefore = tf.memory().numTensors;
    const published = await publishDigitsModel({ dataDir, name: MODEL, perClass, inputSize, log });
    const jpeg = await benchJpeg(224);
    const infer = async () => {
      const t0 = performance.now();
      await published.model.classify(jpeg, { topK: 3 });
      return performance.now() - t0;
    };
    const inferSamples: number[] = [];
    const inferRound = async () => {
      for (let i = 0; i < iterations; i++) inferSamples.push(await infer());
    };
    const tensorsLoaded = tf.memory().numTensors;
    let result: Record<string, unknown> & { tensors: Record<string, number> };
    let tensorsAfterRuns = Number.NaN;
    try {
      await infer();
      log('cold start: spawning graft start …');
      const server = await startApiProcess({
        dataDir,
        token: TOKEN,
        model: MODEL,
        body: jpeg,
        args: serving.args,
      });
      const beforeRaw = tf.memory().numTensors;
      const raw = await startRawBatch(published.files, { threads: serving.threads, image: jpeg });
      // With 0 threads the raw baseline holds its own copy of the model here: not a leak of the runs.
      const rawHeld = tf.memory().numTensors - beforeRaw;
      const filesPath = path.join(dataDir, 'bare-version.json');
      await writeFile(filesPath, serializeVersionFiles(published.files));
      const bare = await startBarePredictServer(filesPath, serving.threads);
      const rawSamples: number[] = [];
      const rawRound = async () => {
        rawSamples.push(await raw.imagesPerSec(serving.rawRounds));
      };
      try {
        const rows = [];
        for (const connections of levels) {
          await inferRound();
          if (connections === 32) await rawRound();
          // A short warm-up at this concurrency, then the measured run.
          await load(server.apiUrl, jpeg, connections, 1);
          const r = await load(server.apiUrl, jpeg, connections, duration);
          if (r.non2xx > 0 || r.errors > 0)
            throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors at c=${connections}`);
          rows.push({
            concurrency: connections,
            p50Ms: r.latency.p50,
            p99Ms: r.latency.p99,
            rps: round(r.requests.average, 1),
            requests: r.requests.total,
            ...(connections === 1
              ? await oneByOne(server.apiUrl, bare.apiUrl, jpeg, iterations * 4, () => raw.singleOnceMs())
              : {}),
          });
          log(`c=${connections}: ${JSON.stringify(rows.at(-1))}`);
        }
        await inferRound();
        await rawRound();
        tensorsAfterRuns = tf.memory().numTensors - rawHeld;
        const rssMb = round(await server.rssMb(), 1);
        const inferMs = round(median(inferSamples));
        const first = rows.find((r) => r.concurrency === 1) ?? rows[0]!;
        result = {
          p50Ms: first.p50Ms,
          p99Ms: first.p99Ms,
          rps: first.rps,
          inferMs,
          p50Ratio: round(first.p50Ms / inferMs, 2),
          coldStartMs: round(server.firstPredictionMs),
          listeningMs: round(server.listeningMs),
          // where the cold start went, by phase (what the process reported about its start and first model load)
          coldStart: coldStartBreakdown(server),
          rssMb,
          imageBytes: jpeg.byteLength,
          modelInputSize: inputSize,
          trainSeconds: round(published.trainSeconds, 1),
          duration,
          ...throughputFigures({
            rows,
            rawBatchRps: rawSamples.reduce((a, b) => a + b, 0) / rawSamples.length,
            // one image alone where the server infers (its worker thread, or this thread), timed in turn with c=1
            rawC1Ms: rows.find((r) => r.concurrency === 1)?.rawC1Ms ?? inferMs,
            bareC1Ms: rows.find((r) => r.concurrency === 1)?.bareC1Ms,
            inferenceThreads: serving.threads,
            maxBatchSize: serving.maxBatch,
          }),
          rawBatchSamples: rawSamples.map((r) => round(r, 1)),
          rows,
          // Filled in below once the in-process model is disposed.
          tensors: {
            loaded: tensorsLoaded - tensorsBefore,
            afterRuns: tensorsAfterRuns - tensorsBefore,
            leakedByDispose: 0,
          },
        };
      } finally {
        await raw.close();
        await bare.stop();
        await server.stop();
      }
    } finally {
      published.model.dispose();
    }
    // The serving bundle's dispose() leaves its head layers' weights (shared by two models in @graft/core's
    // openBundle): counted here so a leak per request can be told apart from that one per loaded model.
    result.tensors.leakedByDispose = tf.memory().numTensors - tensorsBefore;
    return result;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
};

/**
 * `--inference-threads N|auto` (the server's inference worker threads, and the raw baseline's; default `auto`, as
 * `graft start`), `--max-batch N` (default the server's, 8), `--raw-rounds N` (batches of 16 per thread per raw
 * measurement, default 10).
 */
function servingFlags(flags: Parameters<BenchRun>[0]) {
  const setting = flags['inference-threads'];
  const threads = inferenceThreadCount(typeof setting === 'string' ? setting : DEFAULT_BENCH_THREADS);
  const maxBatch = Math.max(1, Math.round(numberFlag(flags, 'max-batch', DEFAULT_MAX_BATCH_SIZE)));
  return {
    threads,
    maxBatch,
    rawRounds: Math.max(1, Math.round(numberFlag(flags, 'raw-rounds', 10))),
    args: ['--inference-threads', String(threads), '--max-batch', String(maxBatch)],
  };
}

/**
 * At c=1, one request at a time over kept-alive connections, each in turn with the same image inferred alone where
 * the server infers (`rawOnce`), so that all medians see the same moments of a shared machine: the prediction's
 * (`p50PreciseMs`), the raw one's (`rawC1Ms`), the same image through the bare `node:http` server that runs the same
 * model (`bareC1Ms`: what any Node server pays here) and `GET /health`'s (`httpFloorMs`).
 */
async function oneByOne(
  apiUrl: string,
  bareUrl: string,
  jpeg: Uint8Array,
  n: number,
  rawOnce: () => Promise<number>,
) {
  const client = timingClient(apiUrl);
  const bareClient = timingClient(bareUrl);
  const barePredict = {
    method: 'POST' as const,
    path: '/',
    headers: { 'content-type': 'image/jpeg' },
    body: jpeg,
  };
  const predict = {
    method: 'POST' as const,
    path: `/v1/models/${MODEL}/predict?topK=3`,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'image/jpeg' },
    body: jpeg,
  };
  try {
    const served: number[] = [];
    const raw: number[] = [];
    const health: number[] = [];
    const bare: number[] = [];
    // The route was just warmed by the load runs; the bare server gets as many requests first (wasm's optimised
    // tier and V8's compiled code come with use: a bare server warmed only by its start-up ran ~1 ms slower).
    for (let i = 0; i < 4 * n; i++) await bareClient.time(barePredict);
    for (let i = 0; i < n; i++) {
      raw.push(await rawOnce());
      // Every other round the bare server goes first: the one sent right after the raw inference is not favoured.
      if (i % 2 === 0) {
        served.push(await client.time(predict));
        bare.push(await bareClient.time(barePredict));
      } else {
        bare.push(await bareClient.time(barePredict));
        served.push(await client.time(predict));
      }
      health.push(await client.time({ method: 'GET', path: '/health' }));
    }
    return {
      p50PreciseMs: round(median(served)),
      rawC1Ms: round(median(raw)),
      bareC1Ms: round(median(bare)),
      httpFloorMs: round(median(health), 3),
    };
  } finally {
    client.close();
    bareClient.close();
  }
}

function load(apiUrl: string, body: Uint8Array, connections: number, seconds: number) {
  return autocannon({
    url: `${apiUrl}/v1/models/${MODEL}/predict?topK=3`,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'image/jpeg' },
    body: Buffer.from(body),
    connections,
    duration: seconds,
    // A busy shared machine can take seconds per request at c=32: time out late rather than count errors.
    timeout: 120,
  });
}
