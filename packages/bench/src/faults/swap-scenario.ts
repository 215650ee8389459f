/**
 * Model swap under load: concurrent prediction requests over a real socket while new versions are published —
 * a good one, one whose weights.bin is truncated, one whose model.json is cut in half (corrupted at rest after
 * publishing), then a good one again. Every request must succeed; answers must move to each good version within
 * the refresh interval (plus its load time) and never to a broken one, which `/ready` must report.
 */
import { keys } from '@graft/storage';
import { type ApiStack, startApiStack } from './api-stack.js';
import { grayPng, tinyModelFiles } from './tiny-model.js';

/**
 * Options of {@link runSwapScenario}.
 *
 * @example
 * ```ts
 * const options: SwapScenarioOptions = { dir, concurrency: 8, refreshMs: 250 };
 * ```
 */
export interface SwapScenarioOptions {
  dir: string;
  /** Concurrent request loops (default 8). */
  concurrency?: number;
  /** How often the API re-reads `current.json` (default 250 ms). */
  refreshMs?: number;
  /** How long the load stays on after a swap was seen (default 2 × refreshMs). */
  settleMs?: number;
  /** Longest wait for a swap or a reported failure before giving up on it (default 30 s: shared CI machines). */
  timeoutMs?: number;
  log?(message: string): void;
}

/**
 * What `/ready` said about a broken version.
 *
 * @example
 * ```ts
 * const report: ReadyReport = { status: 200, version: 2, lastError: { version: 3, message: 'truncated' } };
 * ```
 */
export interface ReadyReport {
  status: number;
  version?: number;
  lastError?: { version?: number; message: string };
}

/**
 * Result of {@link runSwapScenario}.
 *
 * @example
 * ```ts
 * const { failedRequestsDuringSwap }: SwapScenarioResult = await runSwapScenario({ dir });
 * ```
 */
export interface SwapScenarioResult {
  requests: number;
  /** Requests that did not answer 200 with predictions (network errors included). */
  failedRequestsDuringSwap: number;
  statuses: Record<string, number>;
  /** Versions that answered, with their request counts. */
  versions: Record<string, number>;
  /** Time from publishing a good version to its first answer, ms (v2, then v5). */
  swapMs: number[];
  /** Time from publishing a good version until the old one answered for the last time, ms. */
  lastOldAnswerMs: number[];
  brokenWeights: ReadyReport;
  brokenModelJson: ReadyReport;
  /** Answers that came from a broken version (must be 0). */
  brokenAnswers: number;
  p50Ms: number;
  p99Ms: number;
  refreshMs: number;
  seconds: number;
}

interface Answer {
  at: number;
  ms: number;
  status: number;
  version?: number;
}

/**
 * Runs the scenario on its own API stack.
 *
 * @example
 * ```ts
 * const { failedRequestsDuringSwap, swapMs } = await runSwapScenario({ dir, concurrency: 8 });
 * ```
 */
export async function runSwapScenario(options: SwapScenarioOptions): Promise<SwapScenarioResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const refreshMs = options.refreshMs ?? 250;
  const settleMs = options.settleMs ?? 2 * refreshMs;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const stack = await startApiStack({ dir: options.dir, refreshMs, defaultModel: 'tiny' });
  try {
    const [v1, v2, v5] = [await tinyModelFiles(1), await tinyModelFiles(2), await tinyModelFiles(3)];
    const report = { accuracy: 1 };
    await stack.registry.publish('tiny', { ...v1, report });
    const body = await grayPng(20);
    const answers: Answer[] = [];
    let stop = false;
    const predictOnce = async (): Promise<Answer> => {
      const t0 = performance.now();
      try {
        const res = await fetch(`${stack.url}/v1/models/tiny/predict?topK=2`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'image/png' },
          body,
        });
        const json = (await res.json()) as { version?: number; predictions?: unknown[] };
        const ok = res.status === 200 && Array.isArray(json.predictions) && json.predictions.length === 2;
        return {
          at: t0,
          ms: performance.now() - t0,
          status: ok ? 200 : res.status || -1,
          version: json.version,
        };
      } catch {
        return { at: t0, ms: performance.now() - t0, status: -1 };
      }
    };
    const first = await predictOnce();
    if (first.status !== 200 || first.version !== 1)
      throw new Error(`v1 does not serve: ${JSON.stringify(first)}`);
    const loops = Array.from({ length: options.concurrency ?? 8 }, async () => {
      while (!stop) answers.push(await predictOnce());
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (done: () => boolean | Promise<boolean>) => {
      const deadline = performance.now() + timeoutMs;
      while (!(await done()) && performance.now() < deadline) await sleep(50);
    };
    await sleep(300);

    const goodSwap = async (files: typeof v1, expected: number, previous: number) => {
      const version = await stack.registry.publish('tiny', { ...files, report });
      // measured from the moment current.json points at it (publishing itself takes a while under load)
      const at = performance.now();
      if (version !== expected) throw new Error(`published v${version}, expected v${expected}`);
      await until(() => answers.some((a) => a.version === expected));
      await sleep(settleMs);
      const after = answers.filter((a) => a.at >= at);
      const firstNew = after.find((a) => a.version === expected);
      const lastOld = after.filter((a) => a.version === previous).at(-1);
      log(
        `v${expected}: first answer ${firstNew ? (firstNew.at + firstNew.ms - at).toFixed(0) : '—'} ms after publish`,
      );
      return {
        swap: firstNew ? firstNew.at + firstNew.ms - at : Number.POSITIVE_INFINITY,
        lastOld: lastOld ? lastOld.at + lastOld.ms - at : 0,
      };
    };
    const brokenSwap = async (corrupt: (stack: ApiStack, version: number) => Promise<void>) => {
      const version = await stack.registry.publish('tiny', { ...v1, report }, { promote: false });
      await corrupt(stack, version);
      await stack.registry.promote('tiny', version);
      type Ready = { models: { name: string; version?: number; lastError?: ReadyReport['lastError'] }[] };
      let res = new Response();
      let slot: Ready['models'][number] | undefined;
      await until(async () => {
        res = await fetch(`${stack.url}/ready`);
        slot = ((await res.json()) as Ready).models.find((m) => m.name === 'tiny');
        return slot?.lastError?.version === version;
      });
      await sleep(settleMs);
      log(
        `v${version} (broken): /ready ${res.status}, serving v${slot?.version}, lastError ${slot?.lastError?.message}`,
      );
      return {
        brokenVersion: version,
        report: { status: res.status, version: slot?.version, lastError: slot?.lastError },
      };
    };

    const s2 = await goodSwap(v2, 2, 1);
    const w = await brokenSwap(async (s, version) => {
      const file = keys.modelVersionFile('tiny', version, 'weights.bin');
      const weights = await s.store.get(file);
      await s.store.put(file, weights.slice(0, Math.floor(weights.length / 3)));
    });
    const m = await brokenSwap(async (s, version) => {
      const file = keys.modelVersionFile('tiny', version, 'model.json');
      const text = new TextDecoder().decode(await s.store.get(file));
      await s.store.put(file, text.slice(0, Math.floor(text.length / 2)));
    });
    const s5 = await goodSwap(v5, 5, 2);
    stop = true;
    await Promise.all(loops);
    await stack.app.serving.settled('tiny');

    const statuses: Record<string, number> = {};
    const versions: Record<string, number> = {};
    for (const a of answers) {
      statuses[a.status] = (statuses[a.status] ?? 0) + 1;
      if (a.version !== undefined) versions[a.version] = (versions[a.version] ?? 0) + 1;
    }
    const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
    const pct = (p: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
    return {
      requests: answers.length,
      failedRequestsDuringSwap: answers.filter((a) => a.status !== 200).length,
      statuses,
      versions,
      swapMs: [s2.swap, s5.swap].map(Math.round),
      lastOldAnswerMs: [s2.lastOld, s5.lastOld].map(Math.round),
      brokenWeights: w.report,
      brokenModelJson: m.report,
      brokenAnswers: answers.filter((a) => a.version === w.brokenVersion || a.version === m.brokenVersion)
        .length,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      refreshMs,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.close();
  }
}
