/**
 * The serving-throughput part of BENCHMARKS.md (issue 15), from `graft bench api --out` (`test/bench/results/api.json`)
 * and, when present, the same bench run with other inference thread counts saved as `api-threads-<n>.json`.
 */
import { fmt, get, num, type Result } from './result-format.js';

/** What the API did before dynamic batching (one prediction at a time, one thread), measured on this machine type. */
const BEFORE = { rpsAt8: 76, rpsAt32: 66, p50At32Ms: 472, rawBatchMsPerImage: 8.8 };

/**
 * Summary rows: batching efficiency, c=1 latency against raw inference, the tail at c=32.
 *
 * @example
 * ```ts
 * throughputRows(results.api); // [{ from: 'api', what: 'API throughput at c=32 …', … }, …]
 * ```
 */
export function throughputRows(
  api: Result | undefined,
): { from: string; what: string; ours: string; anchor: string; met?: boolean }[] {
  const met = (key: string) => get(api, `targetsMet.${key}`) as boolean | undefined;
  return [
    {
      from: 'api',
      what: `API throughput at c=32 vs the served model on batches of 16 without HTTP (req/s; ${threadsText(api)})`,
      ours: `${fmt(get(api, 'rpsAt32'), 1)} vs ${fmt(get(api, 'rawBatchRps'), 1)} = ${fmt(get(api, 'batchingEfficiency'), 2)}; before batching (quiet machine) ${BEFORE.rpsAt32} req/s`,
      anchor: 'target batching efficiency ≥ 0.85 (TensorFlow Serving / Triton dynamic batching)',
      met: met('batchingEfficiency'),
    },
    {
      from: 'api',
      what: 'API p50 at c=1 with batching on vs raw inference (one image alone where the server infers: decode + infer)',
      ours:
        `${fmt(get(api, 'p50C1Ms'))} ms vs ${fmt(get(api, 'rawC1Ms'))} ms = ${fmt(get(api, 'p50C1Ratio'), 2)}×` +
        (num(get(api, 'bareC1Ms')) === undefined
          ? ''
          : `; a bare \`node:http\` server with the same model ${fmt(get(api, 'bareC1Ms'))} ms = ${fmt(get(api, 'bareC1Ratio'), 2)}×`),
      anchor: 'target ≤ 1.1× (no wait when idle)',
      met: met('p50C1'),
    },
    {
      from: 'api',
      what: 'API p99 vs p50 at c=32',
      ours: `${fmt(get(api, 'p99At32Ms'), 0)} ms vs ${fmt(get(api, 'p50At32Ms'), 0)} ms = ${fmt(get(api, 'p99OverP50At32'), 2)}×; before batching (quiet machine): p50 ${BEFORE.p50At32Ms} ms`,
      anchor: 'target ≤ 3×',
      met: met('p99At32'),
    },
  ];
}

/**
 * The "Serving throughput (issue 15)" section: the run's load rows beside the numbers before batching, and one line
 * per inference thread count measured.
 *
 * @example
 * ```ts
 * throughputSection(results); // '\n## Serving throughput (issue 15)\n…'
 * ```
 */
/**
 * Every `graft bench api` result (\`api\` and \`api-threads-<n>\`), fewest inference threads first.
 *
 * @example
 * ```ts
 * apiRuns(results)[0]; // the run with graft start's default of 0 inference threads, when present
 * ```
 */
export function apiRuns(results: Record<string, Result>): Result[] {
  return Object.entries(results)
    .filter(([name]) => name === 'api' || /^api-threads-\d+$/.test(name))
    .map(([, r]) => r)
    .sort((a, b) => (num(get(a, 'inferenceThreads')) ?? 0) - (num(get(b, 'inferenceThreads')) ?? 0));
}

/**
 * The serving throughput section of BENCHMARKS.md (see the module comment).
 *
 * @example
 * ```ts
 * throughputSection(results); // '\n## Serving throughput (issue 15)\n…'
 * ```
 */
export function throughputSection(results: Record<string, Result>): string {
  const api = results.api;
  if (num(get(api, 'rawBatchRps')) === undefined) return '';
  const runs = apiRuns(results);
  const rowsOf = (r: Result) => (get(r, 'rows') ?? []) as Result[];
  const at = (r: Result, c: number, key: string) =>
    get(
      rowsOf(r).find((row) => get(row, 'concurrency') === c),
      key,
    );
  const lines = runs.map(
    (r) =>
      `| ${fmt(get(r, 'inferenceThreads'), 0)}${r === api ? ' (auto)' : ''} | ${fmt(get(r, 'rawBatchRps'), 1)} | ${fmt(at(r, 8, 'rps'), 1)} | ${fmt(get(r, 'rpsAt32'), 1)} | ${fmt(get(r, 'batchingEfficiency'), 2)} | ${fmt(get(r, 'p50C1Ms'))} / ${fmt(get(r, 'bareC1Ms'))} / ${fmt(get(r, 'rawC1Ms'))} | ${fmt(get(r, 'p50At32Ms'), 0)} / ${fmt(get(r, 'p99At32Ms'), 0)} | ${fmt(get(r, 'rssMb'), 0)} | ${fmt(get(r, 'loadAverage'), 1)} on ${fmt(get(r, 'cores'), 0)} cores |`,
  );
  return `
## Serving throughput (issue 15)

\`graft bench api\`: the demo's digits model (96 px) served by \`graft start\`, a 224 px JPEG per request over loopback
(autocannon), and in the same run the raw baseline: that model version on batches of ${fmt(get(api, 'rawBatchSize'), 0)}
encoded images (decode + prepare + infer, no HTTP) on as many threads as the server infers on. Concurrent
predictions run as one batch (at most ${fmt(get(api, 'maxBatchSize'), 0)}); a batch starts as soon as the model is free.
Before batching, on the same kind of machine: c=8 ${BEFORE.rpsAt8} req/s, c=32 ${BEFORE.rpsAt32} req/s with p50 ${BEFORE.p50At32Ms} ms; raw
trunk ${BEFORE.rawBatchMsPerImage} ms/image in batches of 16 (a quiet machine: compare the ratios, which each run measures
side by side, not req/s across runs taken under other loads). At c=1 the same image also goes, in turn, to a bare
\`node:http\` server running the same model where the API infers (\`bare-predict-server.ts\`): what any Node server
pays on the machine, so that the route's own cost is the difference.

| inference threads | raw batch img/s | c=8 req/s | c=32 req/s | efficiency | p50 c=1 / bare server / raw ms | p50 / p99 c=32 ms | RSS MB | load average |
|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}
`;
}

function threadsText(api: Result | undefined): string {
  const n = num(get(api, 'inferenceThreads'));
  if (n === undefined) return 'threads not recorded';
  return n === 0 ? 'inference on the request thread' : `${n} inference thread${n === 1 ? '' : 's'}`;
}
