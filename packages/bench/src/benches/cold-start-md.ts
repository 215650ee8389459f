/**
 * The cold start part of BENCHMARKS.md, from `graft bench api --out` (`test/bench/results/api.json`): the cold start
 * and memory of a fresh serving process beside the numbers before issue 15, and where the cold start went, by phase.
 */
import { fmt, get, num, type Result } from './result-format.js';

/** Before issue 15 (its text: `graft bench api`, demo model, 96 px, quiet 2-core machine, 14.3 ms raw inference). */
const BEFORE = { coldStartMs: 3200, listeningMs: 1800, rssMb: 545, inferMs: 14.3 };

const PHASES: [string, string][] = [
  ['spawn', 'spawn, and the start line reaching the bench'],
  ['node', "Node's own bootstrap"],
  ['imports', 'the start command’s module graph (no tfjs, no model code), from its bundle or through tsx'],
  ['s3', 'embedded S3 server'],
  ['jobs', 'marking jobs a stopped process left as interrupted'],
  ['app', 'API built'],
  ['listen', 'listening'],
  ['load:parallel', 'first model load, its parallel steps together:'],
  ['load:backend', '… tfjs and its wasm backend'],
  ['load:imports', '… bundle loader (`@graft/core/serving`) and decoders'],
  ['load:read', '… the version’s files from the local S3'],
  ['load:build', 'weights decoded, layers model built'],
  ['load:open', 'trunk compiled (BatchNorm folded), serving head'],
  ['load:warmup', 'one inference on zeros at the served input size'],
  ['request', 'the rest: pointer read, decode, inference, answer, polling'],
];

/** One measured row: the run's inference threads (the served model's copies) and the machine's load. */
function nowRow(run: Result): string {
  const threads = num(get(run, 'inferenceThreads')) ?? 0;
  const load = num(get(run, 'loadAverage'));
  const label = `now, ${threads} inference thread${threads === 1 ? '' : 's'}${load === undefined ? '' : ` (load average ${fmt(load, 1)})`}`;
  const code = get(run, 'coldStart.code');
  return `| ${label}${code === undefined ? '' : `, code from ${code === 'bundle' ? 'the bundle' : 'sources via tsx'}`} | ${fmt(get(run, 'coldStartMs'), 0)} ms | ${fmt(get(run, 'listeningMs'), 0)} ms | ${fmt(get(run, 'rssMb'), 0)} MB |`;
}

/**
 * The section, or nothing when the api result predates the breakdown.
 *
 * @example
 * ```ts
 * coldStartSection(results.api); // '\n## Cold start and memory (issue 15), measured\n…'
 * ```
 */
export function coldStartSection(runs: Result[]): string {
  const withPhases = runs.filter((r) => get(r, 'coldStart.phasesMs') !== undefined);
  const api = withPhases[0];
  const phases = get(api, 'coldStart.phasesMs') as Record<string, number> | undefined;
  if (!phases) return '';
  const rows = PHASES.filter(([name]) => phases[name] !== undefined).map(
    ([name, what]) => `| ${name} | ${what} | ${fmt(phases[name], 0)} |`,
  );
  return `
## Cold start and memory (issue 15), measured

\`graft bench api\`: a fresh \`graft start\` process on a data folder holding the published digits model
(${fmt(get(api, 'modelInputSize'), 0)} px, in the embedded S3), timed from spawn to its first 200 prediction; RSS of that
process after the load runs. It reports its own start and its first model load by step (\`startup\` in its start line,
a \`model_loaded\` line on stderr); \`backend\`, \`imports\` and \`read\` overlap.

| | cold start | listening at | RSS |
|---|---|---|---|
| before (issue 15) | ${fmt(BEFORE.coldStartMs, 0)} ms | ${fmt(BEFORE.listeningMs, 0)} ms | ${fmt(BEFORE.rssMb, 0)} MB |
${withPhases.map(nowRow).join('\n')}

The phases below are the first row's run. How busy the machine was: raw in-process inference took ${fmt(get(api, 'inferMs'))} ms per image in this run, against
${fmt(BEFORE.inferMs)} ms on the quiet machine of the "before" numbers (the wall times above scale with it).

| phase | what | ms |
|---|---|---|
${rows.join('\n')}

What changed: the extraction and training worker threads start with their first task (each loaded tsx, tfjs and its
code: ~280 MB and seconds of CPU competing with the start); tfjs loads through \`require\` with its export names listed
(an ES import made Node lex 7 MB of its CommonJS on every start); tsx's source maps are off unless \`GRAFT_DEBUG\` (they
made Node read and keep 17 MB of tfjs source maps); the API imports tfjs, the bundle loader, the decoders, the backbone
registry, report and page rendering and the Batch client when first needed
(\`test/architecture/start-path.test.ts\` keeps them off the start path); the backend starts while the files are read;
the command line runs from a bundle of its sources (\`packages/cli/bin/bundle.mjs\`: esbuild, rebuilt in ~150 ms when a
source changes) instead of compiling them through tsx, whose loader thread cost ~30 MB and ~250 ms on every start.
`;
}
