/**
 * `graft bench fuzz`: a seeded mutation fuzzer. Mutations of the valid image fixtures (`test/fixtures/images`:
 * bit flips, truncations, chunk and marker splices, header extremes, junk, repeats) go through the decoders
 * (`@graft/imaging`) and through the predict route; mutated JSON bodies go to every route the API registers. Each
 * answer must be a 200 or a typed 4xx: a 5xx counts in `serverErrors`, an untyped 4xx in `untyped`, an error no
 * layer turned into an answer (or an unhandled rejection) in `crashes`. Flags: `--cases N` (default 20,000),
 * `--seed S` (default 2026).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { intFlag } from '@graft/cli';
import { seededRandom } from '@graft/core';
import { initBackend, memorySample, tf } from '@graft/runtime';
import { FUZZ_MODEL, FUZZ_TOKEN, startFuzzApp } from '../fuzz/fuzz-app.js';
import { type CaseOutcome, decodeCase, inFlight, jsonCase, predictCase } from '../fuzz/fuzz-cases.js';
import type { BenchRun } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/images/', import.meta.url));

/** Fixtures that are valid images (the damaged ones are already covered by the mutations). */
async function validFixtures(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const names = (await readdir(FIXTURES)).filter((n) => !/^(truncated|empty)/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(FIXTURES, name))) })),
  );
}

/** Counts of one run, by target and by outcome, and the slowest case. */
interface Tally {
  byTarget: Record<string, number>;
  byOutcome: Record<string, number>;
  crashes: number;
  serverErrors: number;
  untyped: number;
  examples: CaseOutcome[];
  slowest: { ms: number; case?: CaseOutcome };
}

function record(tally: Tally, outcome: CaseOutcome, ms: number): void {
  tally.byTarget[outcome.target] = (tally.byTarget[outcome.target] ?? 0) + 1;
  tally.byOutcome[outcome.outcome] = (tally.byOutcome[outcome.outcome] ?? 0) + 1;
  if (outcome.outcome === 'crash') tally.crashes++;
  if (outcome.outcome === 'server') tally.serverErrors++;
  if (outcome.outcome === 'untyped') tally.untyped++;
  if (outcome.outcome !== 'ok' && outcome.outcome !== 'typed' && tally.examples.length < 10)
    tally.examples.push(outcome);
  if (ms > tally.slowest.ms) tally.slowest = { ms, case: outcome };
}

/** A case that has not ended after `ms` is a crash (a hang): the fuzzer records it and moves on. */
async function withDeadline(pending: Promise<CaseOutcome>, ms: number): Promise<CaseOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<CaseOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ target: 'json', kind: 'hang', outcome: 'crash', detail: `no answer after ${ms} ms` }),
      ms,
    );
  });
  pending.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return Promise.race([
    pending,
    hung.then((h) => ({ ...h, detail: `${h.detail}: ${inFlight.description}` })),
  ]);
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** RSS and this thread's heaps (MB) after `cases` cases. */
function fuzzMemoryPoint(cases: number) {
  const sample = memorySample();
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    cases,
    rssMb: mb(process.memoryUsage().rss),
    heapUsedMb: r(sample.heapUsedMb),
    heapTotalMb: r(sample.heapTotalMb),
    externalMb: r(sample.externalMb),
    arrayBuffersMb: r(sample.arrayBuffersMb),
    wasmHeapMb: r(sample.wasmHeapMb),
  };
}

/**
 * Runs the fuzzer.
 *
 * @example
 * ```ts
 * const result = await run({ cases: '300', seed: '1' }, console.log);
 * result.crashes; // 0
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const cases = intFlag(flags, 'cases', 20_000);
  const seed = intFlag(flags, 'seed', 2026);
  const caseTimeoutMs = intFlag(flags, 'case-timeout-ms', 10_000);
  const rand = seededRandom(seed);
  await initBackend();
  const fixtures = await validFixtures();
  const dir = await mkdtemp(path.join(tmpdir(), 'graft-bench-fuzz-'));
  const target = await startFuzzApp(dir, fixtures.find((f) => f.name === 'gray.png')!.bytes);
  const unhandled: string[] = [];
  const onUnhandled = (error: unknown) => void unhandled.push(String(error).slice(0, 200));
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  // The app logs each 5xx it answers; the tally counts them, the log would only drown the progress lines.
  const consoleError = console.error;
  let logged5xx = 0;
  console.error = () => void logged5xx++;
  const tally: Tally = {
    byTarget: {},
    byOutcome: {},
    crashes: 0,
    serverErrors: 0,
    untyped: 0,
    examples: [],
    slowest: { ms: 0 },
  };
  const started = performance.now();
  let maxRss = process.memoryUsage().rss;
  let rssAfterWarmup = 0;
  const memory: ReturnType<typeof fuzzMemoryPoint>[] = [];
  try {
    const created = await target.app.request('/v1/trainings', {
      method: 'POST',
      headers: { authorization: `Bearer ${FUZZ_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'fuzz', model: FUZZ_MODEL }),
    });
    const jobId = ((await created.json()) as { id: string }).id;
    // Warm the serving slot so the first prediction's model load is not the slowest case.
    await predictCase(target, fixtures[0]!.bytes, seededRandom(0));
    const tensorsStart = tf.memory().numTensors;
    log(
      `fuzz: ${cases} cases, seed ${seed}, ${fixtures.length} image fixtures, ${target.routes.length} routes`,
    );
    for (let i = 0; i < cases; i++) {
      const fixture = fixtures[Math.floor(rand() * fixtures.length)]!.bytes;
      const roll = rand();
      const t0 = performance.now();
      const outcome = await withDeadline(
        roll < 0.35
          ? decodeCase(fixture, rand)
          : roll < 0.65
            ? predictCase(target, fixture, rand)
            : jsonCase(target, jobId, rand),
        caseTimeoutMs,
      );
      if (outcome.outcome === 'crash' && tally.crashes < 3) log(`  crash: ${JSON.stringify(outcome)}`);
      record(tally, outcome, performance.now() - t0);
      if (i % 100 === 0) {
        maxRss = Math.max(maxRss, process.memoryUsage().rss);
        if (i === Math.min(1000, Math.floor(cases / 5))) rssAfterWarmup = process.memoryUsage().rss;
      }
      if (i % 2000 === 0) memory.push(fuzzMemoryPoint(i));
      if (i > 0 && i % 2000 === 0)
        log(
          `  ${i}/${cases}: crashes ${tally.crashes + unhandled.length}, 5xx ${tally.serverErrors}, untyped ${tally.untyped}, rss ${mb(process.memoryUsage().rss)} MB`,
        );
    }
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    const tensorsEnd = tf.memory().numTensors;
    return {
      cases,
      crashes: tally.crashes + unhandled.length,
      serverErrors: tally.serverErrors,
      maxRssMb: mb(maxRss),
      slowestMs: Math.round(tally.slowest.ms * 10) / 10,
      untyped: tally.untyped,
      seed,
      rssAfterWarmupMb: mb(rssAfterWarmup),
      rssEndMb: mb(process.memoryUsage().rss),
      tensorsStart,
      tensorsEnd,
      byTarget: tally.byTarget,
      byOutcome: tally.byOutcome,
      slowestCase: tally.slowest.case ? `${tally.slowest.case.target} ${tally.slowest.case.kind}` : undefined,
      examples: [
        ...tally.examples,
        ...unhandled.map((detail) => ({ target: 'process', kind: 'unhandled', outcome: 'crash', detail })),
      ],
      logged5xx,
      memory: [...memory, fuzzMemoryPoint(cases)],
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    console.error = consoleError;
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await target.close();
    await rm(dir, { recursive: true, force: true });
  }
};
