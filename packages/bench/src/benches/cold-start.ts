/**
 * Where a `graft start` process's cold start goes: what it reports about its own start (the `startup` of its start
 * line) and its first model load (the `model_loaded` event on stderr), lined up with what the bench measured from
 * outside (spawn → listening → first 200 prediction).
 */
import type { ChildProcess } from 'node:child_process';

/** Steps in ms, in the order they ran. */
export type Phases = Record<string, number>;

/** What a `graft start` process reported about its start. */
export interface StartReports {
  /** Its start by step (`node`, `imports`, `s3`, `jobs`, `app`, `listen`) and the total since its process began. */
  startup?: { totalMs: number; code?: string; phasesMs: Phases };
  /** Its first model load by step (`backend` ∥ `read`, `build`, `open`, `warmup`). */
  modelLoad?: { name: string; version: number; totalMs: number; phasesMs: Phases };
}

/**
 * Collects the `model_loaded` events a child prints on stderr (JSON lines) from now on.
 *
 * @example
 * ```ts
 * const reports = startReports(child);
 * const { startup, modelLoad } = await reports.settled(startLine);
 * ```
 */
export function startReports(child: ChildProcess) {
  let modelLoad: StartReports['modelLoad'];
  let seen: () => void = () => {};
  const loaded = new Promise<void>((resolve) => {
    seen = resolve;
  });
  let buffer = '';
  child.stderr?.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (modelLoad || !line.includes('"model_loaded"')) continue;
      try {
        modelLoad = JSON.parse(line);
        seen();
      } catch {
        // another line that merely mentions it
      }
    }
  });
  return {
    /** The reports once the first model load was seen (or `waitMs` passed: the line may trail the response). */
    async settled(startLine: Record<string, unknown>, waitMs = 2000): Promise<StartReports> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([loaded, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      const startup = startLine.startup as StartReports['startup'];
      return { ...(startup ? { startup } : {}), ...(modelLoad ? { modelLoad } : {}) };
    },
  };
}

const PARALLEL_LOAD_STEPS = ['backend', 'imports', 'read'];

/**
 * The cold start (spawn → first 200 prediction) by phase, ms, in order: `spawn` (until the child's clock starts, and
 * its start line reaching the bench), the child's start steps (`node`, `imports`, `s3`, `jobs`, `app`, `listen`), the
 * first model load (`load:parallel` = its parallel steps `load:backend`, `load:imports` and `load:read` together,
 * then `load:build`, `load:open`, `load:warmup`) and `request` (the rest: the request reaching the route, reading the
 * serving pointer, decode, inference, the answer, and the bench's polling).
 *
 * @example
 * ```ts
 * const api = await startApiProcess({ dataDir, token, model: 'digits', body: jpeg });
 * coldStartBreakdown(api); // { coldStartMs: 940, listeningMs: 520, modelLoadMs: 300, phasesMs: { spawn: 12, … } }
 * ```
 */
export function coldStartBreakdown(api: {
  listeningMs: number;
  firstPredictionMs: number;
  reported: StartReports;
}): { coldStartMs: number; listeningMs: number; modelLoadMs?: number; code?: string; phasesMs: Phases } {
  const { startup, modelLoad } = api.reported;
  const phasesMs: Phases = {};
  if (startup) {
    phasesMs.spawn = Math.max(0, Math.round(api.listeningMs - startup.totalMs));
    Object.assign(phasesMs, startup.phasesMs);
  }
  if (modelLoad) {
    const steps = Object.entries(modelLoad.phasesMs);
    const sequential = steps.filter(([name]) => !PARALLEL_LOAD_STEPS.includes(name));
    phasesMs['load:parallel'] = modelLoad.totalMs - sequential.reduce((sum, [, ms]) => sum + ms, 0);
    for (const [name, ms] of steps) phasesMs[`load:${name}`] = ms;
    phasesMs.request = Math.max(0, Math.round(api.firstPredictionMs - api.listeningMs - modelLoad.totalMs));
  }
  return {
    coldStartMs: Math.round(api.firstPredictionMs),
    listeningMs: Math.round(api.listeningMs),
    ...(modelLoad ? { modelLoadMs: modelLoad.totalMs } : {}),
    ...(startup?.code ? { code: startup.code } : {}),
    phasesMs,
  };
}
