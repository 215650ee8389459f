import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openSetRows, openSetSection } from './benchmarks-open-set.js';
import { fuzzRssSentence, soakGrowth, soakSection } from './benchmarks-soak.js';
import { apiRuns, throughputRows, throughputSection } from './benchmarks-throughput.js';
import { fashionFeaturesRow, productScenariosSection } from './benchmarks-transfer-choices.js';
import { MNIST_TRANSFER_ANCHOR, TARGETS, whyTargetsAreMissed } from './benchmarks-why.js';
import { coldStartSection } from './cold-start-md.js';
import { fmt, get, isAdvisorPick, isBestRow, num, type Result, strategyLabel } from './result-format.js';

/** One line of the summary table: what, ours, the anchor or target, and whether the target is met. */
interface Row {
  /** The result file the row reads (`trunk`, `fashion`, …). */
  from: string;
  what: string;
  ours: string;
  anchor: string;
  met?: boolean;
}

const pct = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'not measured' : `${(n * 100).toFixed(1)} %`;
};
const atLeast = (v: unknown, target: number) => (num(v) === undefined ? undefined : num(v)! >= target);
const atMost = (v: unknown, target: number) => (num(v) === undefined ? undefined : num(v)! <= target);

const EVALS = new Set([
  'mnist-transfer',
  'fashion',
  'fashion-features',
  'scenarios',
  'small-data',
  'product-scenarios',
  'open-set',
]);

/** `peak 179 MB at 96 px (isolate +88 MB), 224 px: …` — the workerd process per model size. */
function edgeMemory(edge: Result | undefined): string {
  const rows = (get(edge, 'rows') ?? []) as Result[];
  return rows
    .map(
      (row) =>
        `${fmt(get(row, 'modelInputSize'), 0)} px: RSS peak ${fmt(get(row, 'peakRssMb'), 0)} MB (isolate +${fmt(get(row, 'isolateGrowthMb'), 0)} MB)`,
    )
    .join(', ');
}

/** `; 224 px: 12.0 vs 14.1 (overhead 18 %)` for the pipeline rows at sizes other than the headline's. */
function pipelineAtOtherSizes(pipeline: Result | undefined): string {
  const headline = get(pipeline, 'config.inputSize');
  const rows = (get(pipeline, 'rows') ?? []) as Result[];
  const workers = get(pipeline, 'workers');
  return rows
    .filter((row) => row.inputSize !== undefined && row.inputSize !== headline && row.workers === workers)
    .map(
      (row) =>
        `; ${fmt(row.inputSize, 0, ' px')}: ${fmt(row.imagesPerSec)} vs ${fmt(row.rawImagesPerSec)} (overhead ${fmt(row.overheadPct, 0, ' %')})`,
    )
    .join('');
}

/** The summary rows, from the result files by name (`trunk`, `fashion`, …); missing results read "not measured". */
function rows(r: Record<string, Result>): Row[] {
  const trunk = r.trunk;
  const ms = (k: string) => get(trunk, `msPerImage.${k}`);
  return [
    {
      from: 'trunk',
      what: 'MobileNetV2 trunk, 224 px, batch 1 (ms/image, compiled / layers / cpu)',
      ours: `${fmt(ms('compiled'))} / ${fmt(ms('layers'))} / ${fmt(ms('cpu'), 0)}`,
      anchor: '64.2 ms WASM SIMD, 1404 ms cpu (tfjs-backend-wasm README)',
    },
    {
      from: 'trunk',
      what: 'compiled trunk vs tfjs-layers predict',
      ours: `${fmt(get(trunk, 'speedupVsLayers'), 2)}×`,
      anchor: 'target ≥ 1.5×',
      met: atLeast(get(trunk, 'speedupVsLayers'), 1.5),
    },
    {
      from: 'trunk',
      what: "trunk's share of this CPU's WASM-SIMD matmul peak",
      ours: pct(get(trunk, 'peakShare')),
      anchor: `peak ${fmt(get(trunk, 'peakGflops'))} GFLOP/s`,
    },
    {
      from: 'train',
      what: 'conv training on WASM vs the cpu backend (samples/s)',
      ours: `${fmt(get(r.train, 'samplesPerSec.wasm'))} vs ${fmt(get(r.train, 'samplesPerSec.cpu'), 2)} = ${fmt(get(r.train, 'speedup'), 0)}×`,
      anchor: 'target ≥ 20×',
      met: atLeast(get(r.train, 'speedup'), 20),
    },
    {
      from: 'pipeline',
      what: `pipeline, upload → stored feature at ${fmt(get(r.pipeline, 'config.inputSize'), 0, ' px')} (images/s vs raw trunk)`,
      ours: `${fmt(get(r.pipeline, 'imagesPerSec'))} vs ${fmt(get(r.pipeline, 'rawImagesPerSec'))} (overhead ${fmt(get(r.pipeline, 'overheadPct'), 0, ' %')})${pipelineAtOtherSizes(r.pipeline)}`,
      anchor: `target overhead ≤ ${TARGETS.pipelineOverheadPct} %`,
      met: atMost(get(r.pipeline, 'overheadPct'), TARGETS.pipelineOverheadPct),
    },
    {
      from: 'api',
      what: 'API p50 at concurrency 1 vs raw inference',
      ours: `${fmt(get(r.api, 'p50Ms'))} ms vs ${fmt(get(r.api, 'inferMs'))} ms = ${fmt(get(r.api, 'p50Ratio'), 2)}×; p99 ${fmt(get(r.api, 'p99Ms'))} ms; cold start ${fmt(get(r.api, 'coldStartMs'), 0)} ms; RSS ${fmt(get(r.api, 'rssMb'), 0)} MB`,
      anchor: 'target ≤ 1.3×',
      met: atMost(get(r.api, 'p50Ratio'), 1.3),
    },
    ...throughputRows(r.api),
    {
      from: 'faults',
      what: 'faults: images lost / failed requests during model swaps',
      ours: `${fmt(get(r.faults, 'lost'), 0)} / ${fmt(get(r.faults, 'failedRequestsDuringSwap'), 0)} (${fmt(get(r.faults, 'images'), 0)} images, ${fmt(get(r.faults, 'injectedFaults'), 0)} injected faults)`,
      anchor: 'must be 0 / 0',
      met:
        num(get(r.faults, 'lost')) === undefined
          ? undefined
          : get(r.faults, 'lost') === 0 && get(r.faults, 'failedRequestsDuringSwap') === 0,
    },
    {
      from: 'soak',
      what: 'soak: the local stack under mixed load (c=8 predictions, report pages, trainings that publish)',
      ours: `${fmt(get(r.soak, 'minutes'), 0)} min, ${fmt(get(r.soak, 'requests'), 0)} requests, ${fmt(get(r.soak, 'failed'), 0)} failed; RSS ${soakGrowth(r.soak).afterWarmup ? 'after warm-up ' : ''}${fmt(soakGrowth(r.soak).from, 0)} → ${fmt(soakGrowth(r.soak).to, 0)} MB (${fmt(soakGrowth(r.soak).pct, 1)} %); tensors ${fmt(get(r.soak, 'tensorsStart'), 0)} → ${fmt(get(r.soak, 'tensorsEnd'), 0)}; p99 ${get(r.soak, 'p99Windows') === 'training cycles' ? 'first/last training cycle' : 'first/last'} ${fmt(get(r.soak, 'p99FirstMs'), 0)} / ${fmt(get(r.soak, 'p99LastMs'), 0)} ms; ${fmt(get(r.soak, 'trainings'), 0)} trainings`,
      anchor: 'target ≥ 30 min: 0 failed, RSS growth ≤ 5 %, tensors flat, p99 stable (last ≤ 1.5× first)',
      met:
        num(get(r.soak, 'failed')) === undefined
          ? undefined
          : get(r.soak, 'failed') === 0 &&
            get(r.soak, 'tensorsEnd') === get(r.soak, 'tensorsStart') &&
            atMost(soakGrowth(r.soak).pct, 5) === true &&
            atMost(num(get(r.soak, 'p99LastMs')), 1.5 * (num(get(r.soak, 'p99FirstMs')) ?? 0)) === true &&
            atLeast(get(r.soak, 'minutes'), 30) === true,
    },
    {
      from: 'fuzz',
      what: 'fuzz: crashes / 5xx / untyped 4xx over seeded mutated images and JSON bodies',
      ours: `${fmt(get(r.fuzz, 'crashes'), 0)} / ${fmt(get(r.fuzz, 'serverErrors'), 0)} / ${fmt(get(r.fuzz, 'untyped'), 0)} (${fmt(get(r.fuzz, 'cases'), 0)} cases; max RSS ${fmt(get(r.fuzz, 'maxRssMb'), 0)} MB; slowest ${fmt(get(r.fuzz, 'slowestMs'), 0)} ms)`,
      anchor: 'must be 0 / 0 / 0 over ≥ 20,000 cases',
      met:
        num(get(r.fuzz, 'cases')) === undefined
          ? undefined
          : get(r.fuzz, 'crashes') === 0 &&
            get(r.fuzz, 'serverErrors') === 0 &&
            get(r.fuzz, 'untyped') === 0 &&
            (num(get(r.fuzz, 'cases')) ?? 0) >= 20_000,
    },
    {
      from: 'edge',
      what: 'edge API in workerd: p50 vs the Node API at c=1; cold start; code + wasm gzip; workerd peak RSS',
      ours: `${fmt(get(r.edge, 'p50Ms'))} ms vs ${fmt(get(r.edge, 'p50NodeMs'))} ms = ${fmt(get(r.edge, 'ratio'), 2)}×; cold start ${fmt(get(r.edge, 'coldStartMs'), 0)} ms at ${fmt(get(r.edge, 'modelInputSize'), 0)} px; ${fmt((num(get(r.edge, 'codeGzipBytes')) ?? Number.NaN) / 1024, 0)} + ${fmt((num(get(r.edge, 'wasmGzipBytes')) ?? Number.NaN) / 1024, 0)} KiB; ${edgeMemory(r.edge)}`,
      anchor:
        'targets ratio ≤ 1.25, cold start ≤ 500 ms at 96 px, code + wasm ≤ 1 MB gzip, 224 px within 128 MB',
      met:
        num(get(r.edge, 'ratio')) === undefined
          ? undefined
          : atMost(get(r.edge, 'ratio'), 1.25) === true &&
            atMost(get(r.edge, 'coldStartMs'), 500) === true &&
            (num(get(r.edge, 'codeGzipBytes')) ?? 0) + (num(get(r.edge, 'wasmGzipBytes')) ?? 0) <= 1_000_000,
    },
    {
      from: 'api',
      what: 'API cold start (spawn → first 200 prediction, model in the local S3) and RSS after the load runs, at `graft start`’s default inference threads',
      ours: `${fmt(get(apiRuns(r)[0], 'coldStartMs'), 0)} ms (listening at ${fmt(get(apiRuns(r)[0], 'listeningMs'), 0)} ms, model load ${fmt(get(apiRuns(r)[0], 'coldStart.modelLoadMs'), 0)} ms); RSS ${fmt(get(apiRuns(r)[0], 'rssMb'), 0)} MB at ${fmt(get(apiRuns(r)[0], 'modelInputSize'), 0)} px`,
      anchor: 'targets cold start ≤ 1000 ms, RSS ≤ 250 MB at 96 px (issue 15; before: 3.2 s, 545 MB)',
      met:
        num(get(apiRuns(r)[0], 'coldStartMs')) === undefined
          ? undefined
          : atMost(get(apiRuns(r)[0], 'coldStartMs'), 1000) === true &&
            atMost(get(apiRuns(r)[0], 'rssMb'), 250) === true,
    },
    {
      from: 'mnist-transfer',
      what: 'MNIST digits 0–4 → 5–9 (target accuracy)',
      ours: fmt(get(r['mnist-transfer'], 'targetAccuracy'), 4),
      anchor: `${MNIST_TRANSFER_ANCHOR} (keras mnist_transfer_cnn.py)`,
      met: atLeast(get(r['mnist-transfer'], 'targetAccuracy'), TARGETS.mnistTransfer),
    },
    {
      from: 'fashion',
      what: 'Fashion-MNIST, feature extraction (test accuracy): block_13_expand_relu over 3 × 3 regions (whole map); head kept at its best validation accuracy, learning rate ÷ 5 on plateaus (`earlyStopping.monitor: "accuracy"`, `reduceLearningRate`)',
      ours: `${fmt(get(r.fashion, 'featureExtraction'), 4)}${get(r.fashion, 'featureExtractionGlobal') === undefined ? '' : ` (${fmt(get(r.fashion, 'featureExtractionGlobal'), 4)})`}`,
      anchor: `0.908 (frozen MobileNetV2 + dense); target ≥ ${TARGETS.fashionFeatureExtraction}`,
      met: atLeast(get(r.fashion, 'featureExtraction'), TARGETS.fashionFeatureExtraction),
    },
    fashionFeaturesRow(r['fashion-features'], TARGETS.fashionFeatureExtraction),
    {
      from: 'fashion',
      what: `Fashion-MNIST, freeze-k (test accuracy)`,
      ours: fmt(get(r.fashion, 'freezeK'), 4),
      anchor: `0.950 (MobileNet with augmentation); target ≥ ${TARGETS.fashionFreezeK}`,
      met: atLeast(get(r.fashion, 'freezeK'), TARGETS.fashionFreezeK),
    },
    {
      from: 'scenarios',
      what: 'four scenarios: cells where the advisor is within one sd of the best',
      ours: `${fmt(get(r.scenarios, 'advisorWithinOneSd'), 0)} of 4`,
      anchor: 'target 4 of 4',
      met:
        num(get(r.scenarios, 'advisorWithinOneSd')) === undefined
          ? undefined
          : get(r.scenarios, 'advisorWithinOneSd') === 4,
    },
    {
      from: 'product-scenarios',
      what: 'four scenarios through the product path (develop job → backbone add → import → auto): cells where auto serves within one sd of the best',
      ours: `${fmt(get(r['product-scenarios'], 'autoWithinOneSd'), 0)} of 4`,
      anchor: 'target 4 of 4',
      met:
        num(get(r['product-scenarios'], 'autoWithinOneSd')) === undefined
          ? undefined
          : get(r['product-scenarios'], 'autoWithinOneSd') === 4,
    },
    {
      from: 'small-data',
      what: 'small data sets through the job path: rows where `auto` is within one sd of the best and not below the pooled head',
      ours: `${fmt(get(r['small-data'], 'passedRows'), 0)} of ${fmt(get(r['small-data'], 'totalRows'), 0)}`,
      anchor: 'target every row',
      met:
        num(get(r['small-data'], 'totalRows')) === undefined
          ? undefined
          : get(r['small-data'], 'passedRows') === get(r['small-data'], 'totalRows'),
    },
    ...openSetRows(r['open-set']),
  ];
}

/** The small-data table (one line per row and strategy), when `small-data` was run. */
function smallDataTable(s: Result | undefined): string {
  const rowsOf = get(s, 'rows');
  if (!Array.isArray(rowsOf) || rowsOf.length === 0) return '';
  const lines = [
    '| data set | per class | strategy | test accuracy (mean ± sd) | seconds per job | best |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rowsOf as Result[]) {
    for (const [name, st] of Object.entries(
      (get(row, 'strategies') as Record<string, Result> | undefined) ?? {},
    )) {
      lines.push(
        `| ${row.source} | ${row.perClass} | ${name} | ${fmt(st.mean, 4)} ± ${fmt(st.sd, 4)} | ${fmt(st.seconds, 1)} | ${row.best === name ? '✓' : ''} |`,
      );
    }
  }
  return `\n## Small data sets, measured\n\n10 classes, ${fmt((rowsOf[0] as Result).seeds, 0)} samples per row; \`pooled\` is a new head on the stored cut's pooled activations, \`freeze-k\` retrains the layers above \`block_16_project_BN\`.\n\n${lines.join('\n')}\n`;
}

/** The scenario table (one line per cell and strategy), when `scenarios` was run. */
function scenarioTable(s: Result | undefined): string {
  const cells = get(s, 'cells');
  if (!Array.isArray(cells) || cells.length === 0) return '';
  const lines = ['| cell | strategy | test accuracy (mean ± sd) | best | advisor |', '|---|---|---|---|---|'];
  for (const cell of cells as Result[]) {
    for (const st of (get(cell, 'strategies') as Result[] | undefined) ?? []) {
      lines.push(
        `| ${cell.size} × ${cell.similarity} | ${strategyLabel(st)} | ${fmt(st.mean, 4)} ± ${fmt(st.sd, 4)} | ${isBestRow(cell, st) ? '✓' : ''} | ${isAdvisorPick(cell, st) ? '◆' : ''} |`,
      );
    }
  }
  return `\n## The four scenarios, measured\n\n${lines.join('\n')}\n\n✓ best mean; ◆ the advisor's pick.\n`;
}

function fuzzSection(f: Result | undefined): string {
  if (!f) return '';
  const counts = (v: unknown) =>
    Object.entries((v ?? {}) as Record<string, number>)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return `\n## Fuzzing (issue 18), measured\n\n\`graft bench fuzz\`, seed ${fmt(f.seed, 0)}: ${fmt(f.cases, 0)} seeded cases — mutations of the image fixtures (bit flips, truncations, PNG chunk / JPEG marker / RIFF chunk splices, header fields at their extremes, junk, repeats) through the decoders and the predict route, and mutated JSON bodies to every route the API registers. By target: ${counts(f.byTarget)}; by answer: ${counts(f.byOutcome)}. Crashes ${fmt(f.crashes, 0)}, 5xx ${fmt(f.serverErrors, 0)}, untyped 4xx ${fmt(f.untyped, 0)}; RSS ${fmt(f.rssAfterWarmupMb, 0)} MB after warm-up, ${fmt(f.rssEndMb, 0)} MB at the end, ${fmt(f.maxRssMb, 0)} MB at most; tensors ${fmt(f.tensorsStart, 0)} → ${fmt(f.tensorsEnd, 0)}; slowest case ${fmt(f.slowestMs, 0)} ms (${f.slowestCase ?? ''}).${fuzzRssSentence(f)} What it found and was fixed: a failed JPEG decode left mozjpeg's WASM instance corrupted (libjpeg's errors unwind nothing), until a later decode never returned; a failed decode now retires its instance.\n`;
}

/** The edge section: per model size, workerd beside the Node API (`graft bench edge`). */
function edgeTable(edge: Result | undefined): string {
  const rows = (get(edge, 'rows') ?? []) as Result[];
  if (rows.length === 0) return '';
  const lines = rows.map(
    (row) =>
      `| ${fmt(get(row, 'modelInputSize'), 0)} px | ${fmt(get(row, 'coldStartMs'), 0)} ms | ${fmt(get(row, 'p50Ms'))} ms | ${fmt(get(row, 'p50NodeMs'))} ms | ${fmt(get(row, 'ratio'), 2)}× | ${fmt(get(row, 'idleRssMb'), 0)} → ${fmt(get(row, 'peakRssMb'), 0)} MB (+${fmt(get(row, 'isolateGrowthMb'), 0)}) | ${fmt(get(row, 'nodeRssMb'), 0)} MB |`,
  );
  return `
## The API at the edge (workerd), measured

\`graft bench edge\`: a digits model per size, served by a \`graft start\` process (Node) and by the edge build in
workerd (Miniflare, the Worker's own socket) over the same bucket; the same 224 px JPEG sent to both, one request at a
time, alternating (${fmt(get(edge, 'iterations'), 0)} each). Cold start: a fresh workerd's first prediction (wasm
start, model read over the S3 API, warm-up, inference). Memory: the workerd process, idle after start → peak after
the runs and 8 concurrent requests; the difference bounds what the isolate used (limit 128 MB).

| model input | cold start | p50 workerd | p50 Node | ratio | workerd RSS idle → peak | Node RSS |
|---|---|---|---|---|---|---|
${lines.join('\n')}

Bundle: ${fmt((num(get(edge, 'codeGzipBytes')) ?? Number.NaN) / 1024, 0)} KiB code + ${fmt((num(get(edge, 'wasmGzipBytes')) ?? Number.NaN) / 1024, 0)} KiB wasm, gzip.
`;
}

/**
 * Renders BENCHMARKS.md from the results: a summary table (ours beside the published anchor or target, met or
 * not), the machine and date of each result, and the scenario table.
 *
 * @example
 * ```ts
 * const markdown = renderBenchmarks({ trunk: { msPerImage: { compiled: 59, layers: 148, cpu: 3239 } } });
 * ```
 */
export function renderBenchmarks(results: Record<string, Result>): string {
  const table = rows(results).map((row) =>
    results[row.from]
      ? `| ${row.what} | ${row.ours} | ${row.anchor} | ${row.met === undefined ? '' : row.met ? 'yes' : 'no'} |`
      : `| ${row.what} | not run yet (\`graft ${EVALS.has(row.from) ? 'eval' : 'bench'} ${row.from} --out\`) | ${row.anchor} |  |`,
  );
  const runs = Object.entries(results)
    .filter(([name]) => name !== 'all')
    .map(([name, r]) => {
      const m = (r.machine ?? {}) as Result;
      return `| ${name} | ${String(r.date ?? '')
        .slice(0, 16)
        .replace(
          'T',
          ' ',
        )} | ${fmt(r.seconds, 0, ' s')} | ${m.cpu ?? ''}, ${m.cores ?? '?'} cores, ${m.node ?? ''} |`;
    });
  return `# Benchmarks

Generated by \`npm run bench\` (\`graft bench all --out\`) from \`test/bench/results/*.json\`; regenerate with
\`npx graft bench report\`. Speeds are compared side by side in one run (contenders interleaved) and quoted as
medians and ratios: the machines are shared and noisy, so the ratios are the numbers to trust. Accuracy is
measured on the standard test splits; nothing is tuned on test data.

| benchmark | ours | anchor or target | met |
|---|---|---|---|
${table.join('\n')}
${whyTargetsAreMissed(results)}${scenarioTable(results.scenarios)}${productScenariosSection(results['product-scenarios'])}${smallDataTable(results['small-data'])}${soakSection(results.soak)}${fuzzSection(results.fuzz)}${openSetSection(results['open-set'])}${coldStartSection(apiRuns(results))}${edgeTable(results.edge)}${throughputSection(results)}
## Runs

| result | date (UTC) | duration | machine |
|---|---|---|---|
${runs.join('\n')}

Each result's full JSON (every row, every setting) is in \`test/bench/results/<name>.json\`.
`;
}

/**
 * Reads every `test/bench/results/*.json` under `root` and writes `BENCHMARKS.md` there.
 *
 * @example
 * ```ts
 * await writeBenchmarksMd(process.cwd());
 * ```
 */
export async function writeBenchmarksMd(root: string): Promise<string> {
  const dir = path.join(root, 'test/bench/results');
  const results: Record<string, Result> = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort())
    results[file.replace(/\.json$/, '')] = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
  const target = path.join(root, 'BENCHMARKS.md');
  await writeFile(target, renderBenchmarks(results));
  return target;
}
