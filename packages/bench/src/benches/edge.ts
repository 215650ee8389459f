/**
 * `graft bench edge`: the prediction API in workerd (the edge build, through Miniflare) side by side with the Node API
 * in one run. A digits model is trained and published as `graft demo` does, a `graft start` process serves it on Node,
 * the edge build runs in workerd over the same bucket (as `graft edge` does), and the same 224 px JPEG is sent to
 * both, one request at a time, alternating, so both see the same machine load.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEdge, numberFlag, startEdge } from '@graft/cli';
import { initBackend } from '@graft/runtime';
import { publishDigitsModel } from './api-model.js';
import { startApiProcess } from './api-server.js';
import { benchJpeg } from './bench-image.js';
import { listFlag, median, round } from './bench-stats.js';
import type { BenchRun } from './types.js';

const MODEL = 'digits';
const TOKEN = 'bench-token-0123456789abcdefghijklmnop';

async function predictMs(apiUrl: string, body: Uint8Array): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${apiUrl}/v1/models/${MODEL}/predict?topK=3`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'image/jpeg' },
    body: body as Uint8Array<ArrayBuffer>,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${apiUrl} answered ${res.status}: ${text.slice(0, 300)}`);
  return performance.now() - t0;
}

/** The workerd processes this process started (Miniflare spawns one per instance). */
async function workerdPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match?.[1] === 'workerd' && Number(match[2]) === process.pid) pids.push(Number(entry));
  }
  return pids;
}

async function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** One model size measured: Node API and workerd over the same bucket. */
async function measure(
  inputSize: number,
  options: { iterations: number; perClass: number; log(message: string): void },
): Promise<Record<string, unknown>> {
  const { iterations, perClass, log } = options;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-bench-edge-'));
  try {
    log(`training ${MODEL} on ${perClass} digits per class at ${inputSize} px …`);
    const published = await publishDigitsModel({ dataDir, name: MODEL, perClass, inputSize, log });
    published.model.dispose();
    const jpeg = await benchJpeg(224);
    const node = await startApiProcess({ dataDir, token: TOKEN, model: MODEL, body: jpeg });
    try {
      const info = JSON.parse(await readFile(path.join(dataDir, 'runtime.json'), 'utf8')) as {
        s3Endpoint: string;
        bucket: string;
        s3Credentials: { accessKeyId: string; secretAccessKey: string };
      };
      const build = await buildEdge({ outDir: path.join(dataDir, 'edge') });
      const before = new Set(await workerdPids());
      const t0 = performance.now();
      const edge = await startEdge({
        build,
        bindings: {
          GRAFT_BUCKET: info.bucket,
          GRAFT_S3_ENDPOINT: info.s3Endpoint,
          GRAFT_API_TOKEN: TOKEN,
          GRAFT_S3_ACCESS_KEY_ID: info.s3Credentials.accessKeyId,
          GRAFT_S3_SECRET_ACCESS_KEY: info.s3Credentials.secretAccessKey,
        },
      });
      try {
        const listeningMs = performance.now() - t0;
        const pid = (await workerdPids()).find((p) => !before.has(p));
        const idleRssMb = pid === undefined ? Number.NaN : await statusMb(pid, 'VmRSS');
        const coldStartMs = await predictMs(edge.url, jpeg);
        log(
          `${inputSize} px: workerd listening after ${round(listeningMs)} ms; first prediction ${round(coldStartMs)} ms`,
        );
        const edgeSamples: number[] = [];
        const nodeSamples: number[] = [];
        for (let i = 0; i < 3; i++) {
          await predictMs(edge.url, jpeg);
          await predictMs(node.apiUrl, jpeg);
        }
        for (let i = 0; i < iterations; i++) {
          edgeSamples.push(await predictMs(edge.url, jpeg));
          nodeSamples.push(await predictMs(node.apiUrl, jpeg));
        }
        // Concurrent requests share the isolate: 8 at once, for the memory peak.
        await Promise.all(Array.from({ length: 8 }, () => predictMs(edge.url, jpeg)));
        const p50Ms = median(edgeSamples);
        const p50NodeMs = median(nodeSamples);
        const peakRssMb = pid === undefined ? Number.NaN : await statusMb(pid, 'VmHWM');
        return {
          modelInputSize: inputSize,
          coldStartMs: round(coldStartMs),
          p50Ms: round(p50Ms),
          p50NodeMs: round(p50NodeMs),
          ratio: round(p50Ms / p50NodeMs, 3),
          peakRssMb: round(peakRssMb, 1),
          idleRssMb: round(idleRssMb, 1),
          isolateGrowthMb: round(peakRssMb - idleRssMb, 1),
          nodeRssMb: round(await node.rssMb(), 1),
          listeningMs: round(listeningMs),
          codeGzipBytes: build.codeGzipBytes,
          wasmGzipBytes: build.wasmGzipBytes,
          trainSeconds: round(published.trainSeconds, 1),
        };
      } finally {
        await edge.close();
      }
    } finally {
      await node.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Flags: `--sizes 96,224` (model input sizes, each its own model, Node API and workerd; the first is the headline),
 * `--iterations 40` (sequential requests per API), `--per-class 10` (training digits per class). The request image
 * is always a 224×224 JPEG.
 *
 * @example
 * ```ts
 * const { ratio, coldStartMs } = await run({ sizes: '96', iterations: '10' }, console.log);
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const iterations = Math.max(5, Math.round(numberFlag(flags, 'iterations', 40)));
  const perClass = Math.max(1, Math.round(numberFlag(flags, 'per-class', 10)));
  const sizes = listFlag(flags, 'sizes', [96, 224]);
  await initBackend({ backend: 'wasm' });
  const rows: Record<string, unknown>[] = [];
  for (const size of sizes) {
    rows.push(await measure(size, { iterations, perClass, log }));
    log(JSON.stringify(rows.at(-1)));
  }
  const headline = rows[0]!;
  return {
    coldStartMs: headline.coldStartMs,
    p50Ms: headline.p50Ms,
    p50NodeMs: headline.p50NodeMs,
    ratio: headline.ratio,
    codeGzipBytes: headline.codeGzipBytes,
    wasmGzipBytes: headline.wasmGzipBytes,
    peakRssMb: headline.peakRssMb,
    modelInputSize: headline.modelInputSize,
    iterations,
    imageBytes: (await benchJpeg(224)).byteLength,
    rows,
  };
};
