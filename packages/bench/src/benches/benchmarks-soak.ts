/** The soak's and the fuzzer's memory figures in BENCHMARKS.md (`graft bench soak`, `graft bench fuzz`). */
import { fmt, get, num, type Result } from './result-format.js';

/**
 * The soak's RSS growth: after warm-up (median of the first window after it → median of the last window) when the
 * result has it, else from the start to the end sample (results written before the memory windows existed).
 *
 * @example
 * ```ts
 * soakGrowth({ rssAfterWarmupMb: 800, rssLastWindowMb: 812, rssGrowthAfterWarmupPct: 1.5 }); // { from: 800, to: 812, pct: 1.5, afterWarmup: true }
 * ```
 */
export function soakGrowth(r: Result | undefined): {
  from: unknown;
  to: unknown;
  pct: unknown;
  afterWarmup: boolean;
} {
  if (get(r, 'rssGrowthAfterWarmupPct') !== undefined)
    return {
      from: get(r, 'rssAfterWarmupMb'),
      to: get(r, 'rssLastWindowMb'),
      pct: get(r, 'rssGrowthAfterWarmupPct'),
      afterWarmup: true,
    };
  return {
    from: get(r, 'rssStartMb'),
    to: get(r, 'rssEndMb'),
    pct: get(r, 'rssGrowthPct'),
    afterWarmup: false,
  };
}

/**
 * The "Soak, measured" section: what the run did, the RSS growth after warm-up and each thread's live heap in the
 * two windows it compares, and what was found and fixed.
 *
 * @example
 * ```ts
 * const markdown = soakSection(results.soak);
 * ```
 */
export function soakSection(s: Result | undefined): string {
  const windows = get(s, 'memoryWindows') as Result | undefined;
  if (!s || !windows) return '';
  const first = windows.afterWarmup as Result;
  const last = windows.last as Result;
  const heap = (thread: string) =>
    `${fmt(get(first, `liveHeapMb.${thread}`), 1)} → ${fmt(get(last, `liveHeapMb.${thread}`), 1)} MB`;
  const memory = (get(s, 'memory') as Result[] | undefined) ?? [];
  const wasm = (thread: string) => fmt(get(memory.at(-1), `${thread}.wasm`), 0);
  return `
## Soak (issue 18), measured

\`graft bench soak --minutes ${fmt(s.minutes, 0)}\`: ${fmt(s.requests, 0)} requests (${fmt(s.predictions, 0)} predictions at c=${fmt(s.concurrency, 0)}, report pages), ${fmt(s.failed, 0)} failed; ${fmt(s.trainings, 0)} trainings published new versions under load (${fmt(s.trainingsFailed, 0)} failed); tensors ${fmt(s.tensorsStart, 0)} → ${fmt(s.tensorsEnd, 0)}; p99 ${s.p99Windows === 'training cycles' ? `per training cycle (${fmt(s.windowSeconds, 0)} s, each with one training that publishes) ${((s.p99ByCycleMs as number[] | undefined) ?? []).map((v) => fmt(v, 0)).join(', ')} ms: first / last` : 'first / last minute'} ${fmt(s.p99FirstMs, 0)} / ${fmt(s.p99LastMs, 0)} ms.${typeof s.note === 'string' ? ` ${s.note}` : ''} Memory is sampled every 15 s after a full garbage collection in every thread (so garbage not yet collected does not count as growth). Warm-up ends with the first sample after the first training under load published (${fmt(s.warmupSeconds, 0)} s): by then the API has held two model versions at once and the training worker has trained under load. Their tfjs wasm heaps grow in steps and never shrink (at the end: API ${wasm('main')} MB, training worker ${wasm('job')} MB, extraction worker ${wasm('extract')} MB)${lastWasmStep(memory)}.

| window | samples | RSS (median) | live heap: API thread | extraction worker | training worker |
|---|---|---|---|---|---|
| ${fmt(first.fromS, 0)}–${fmt(first.toS, 0)} s (after warm-up) | ${fmt(first.samples, 0)} | ${fmt(first.rssMb, 0)} MB | ${fmt(get(first, 'liveHeapMb.main'), 1)} MB | ${fmt(get(first, 'liveHeapMb.extract'), 1)} MB | ${fmt(get(first, 'liveHeapMb.job'), 1)} MB |
| ${fmt(last.fromS, 0)}–${fmt(last.toS, 0)} s (last) | ${fmt(last.samples, 0)} | ${fmt(last.rssMb, 0)} MB | ${fmt(get(last, 'liveHeapMb.main'), 1)} MB | ${fmt(get(last, 'liveHeapMb.extract'), 1)} MB | ${fmt(get(last, 'liveHeapMb.job'), 1)} MB |

RSS growth after warm-up: **${fmt(s.rssGrowthAfterWarmupPct, 1)} %** (live heaps: API ${heap('main')}, training worker ${heap('job')}). What was found and fixed: tfjs-layers' graph executor keeps up to 100 topologically sorted execution plans in LRU caches keyed by tensor names, which are new for every model built or loaded; each plan holds its model's \`SymbolicTensor\`s and through them every layer and variable object, so every disposed model version stayed reachable until 100 newer plans pushed it out — about 1 MB of live heap per version in the API and per training in the training worker (heap snapshots: +792 \`LayerVariable\`s over 4 trainings). \`disposeWeights\` now empties those caches (\`releaseLayersGraphs\` of \`@graft/runtime\`). The training worker's live heap then still grew 0.2–0.3 MB per training: the extractor split the process-wide backbone to take its trunk, and a split replays the upper layers on a new input, which leaves one more node (and symbolic tensors, an input layer) on each of them for as long as the backbone lives (heap snapshots: +37 per training); it now takes the trunk alone (\`trunkAt\`). What remains, ~0.15 MB per training, is tfjs-layers' registry of unique weight names, which never forgets one (~1,000 per MobileNetV2 loaded): the local job runner replaces its training thread every 20 trainings (\`WorkerPool\` \`maxTasks\`). The soak itself kept every request's latency as an object in the process it measures (the API runs in it): 232,309 of them grew the API thread's live heap by ~19 MB in 30 minutes (+7.3 % RSS in that run); it now counts latencies in fixed-size histograms and the API thread's live heap stays flat. The earlier figure of this row, 695 → 981 MB (+41 %) over 30 min, compared one sample taken before warm-up (before the second model version and the first training under load grew the API's and the worker's wasm heaps by about 43 and 35 MB) with one end sample taken without a GC (RSS swings by ±50 MB with collection timing).
`;
}

/** When the API's wasm heap last grew, if it did after the first sample: a step that RSS growth includes. */
function lastWasmStep(memory: Result[]): string {
  const wasm = memory.map((m) => num(get(m, 'main.wasm')));
  let last = -1;
  for (let i = 1; i < wasm.length; i++) if ((wasm[i] ?? 0) > (wasm[i - 1] ?? 0)) last = i;
  if (last < 1) return '';
  const at = memory[last]!;
  return `; the API's last grew at ${fmt(get(at, 'atS'), 0)} s, with version ${fmt(num(get(at, 'published')) ?? 0, 0)} published under load (${fmt(wasm[last - 1], 1)} → ${fmt(wasm[last], 1)} MB), and stayed flat after`;
}

/**
 * The fuzzer's RSS over its cases: whether it levels off (the last quarter of the run against its first three).
 *
 * @example
 * ```ts
 * fuzzRssSentence(results.fuzz); // ' RSS by cases: 0: 202 MB, 10000: 336 MB, …; over the last quarter …'
 * ```
 */
export function fuzzRssSentence(f: Result | undefined): string {
  const memory = (get(f, 'memory') as Result[] | undefined) ?? [];
  if (memory.length < 8) return '';
  const at = (i: number) => memory[Math.min(memory.length - 1, Math.round(i))]!;
  const marks = [0, 0.25, 0.5, 0.75, 1].map((q) => at(q * (memory.length - 1)));
  const quarter = at(0.75 * (memory.length - 1));
  const end = memory.at(-1)!;
  const tail = memory.slice(Math.round(0.75 * (memory.length - 1)));
  const max = Math.max(...tail.map((p) => Number(p.rssMb)));
  return ` RSS by cases: ${marks.map((p) => `${fmt(p.cases, 0)}: ${fmt(p.rssMb, 0)} MB`).join(', ')}; over the last quarter (${fmt(quarter.cases, 0)} → ${fmt(end.cases, 0)} cases) it moved ${fmt(Number(end.rssMb) - Number(quarter.rssMb), 0)} MB (at most ${fmt(max, 0)} MB): bounded, levelled off. The growth before it is external memory (${fmt(get(memory[1], 'externalMb'), 0)} → ${fmt(end.externalMb, 0)} MB, swinging by about 100 MB between samples) while the V8 heap (${fmt(get(memory[1], 'heapUsedMb'), 0)} → ${fmt(end.heapUsedMb, 0)} MB) and the tfjs wasm heap (${fmt(end.wasmHeapMb, 0)} MB) stay flat: the WebAssembly memories of the JPEG decoder instances a failed decode retires, held until V8 collects them (decoding 3,000 damaged JPEGs alone keeps RSS within 160–210 MB).`;
}
