/**
 * `graft bench faults`: the extraction pipeline under injected S3 faults (500/503, resets after the work, slow
 * answers), every event delivered twice and one worker killed mid-batch; then a model swap under load (good,
 * broken weights, broken model.json, good). Flags: `--images N` (default 200), `--fault-rate R` (default 0.1),
 * `--swap-concurrency N` (default 8).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Flags, intFlag, UsageError } from '@graft/cli';
import { runPipelineScenario } from '../faults/pipeline-scenario.js';
import { runSwapScenario } from '../faults/swap-scenario.js';
import { syntheticUploads } from '../faults/synthetic-uploads.js';
import type { BenchRun } from './types.js';

/**
 * Runs both scenarios and reports what was injected and what was lost.
 *
 * @example
 * ```ts
 * const result = await run({ images: '40', 'fault-rate': '0.1' }, console.log);
 * result.lost; // 0
 * ```
 */
export const run: BenchRun = async (flags, log) => {
  const started = performance.now();
  const images = intFlag(flags, 'images', 200);
  const faultRate = rate(flags);
  const root = await mkdtemp(path.join(tmpdir(), 'graft-bench-faults-'));
  try {
    log(
      `pipeline: ${images} uploads, fault rate ${faultRate}, every event twice, one worker killed mid-batch`,
    );
    const uploads = await syntheticUploads(images, { seed: 2026 });
    const pipeline = await runPipelineScenario({
      dir: path.join(root, 'pipeline'),
      uploads,
      faultRate,
      seed: 2026,
      deliverTwice: true,
      killWorkerAfterMs: 50,
      log,
    });
    log(`swap under load: ${intFlag(flags, 'swap-concurrency', 8)} concurrent request loops`);
    const swap = await runSwapScenario({
      dir: path.join(root, 'swap'),
      concurrency: intFlag(flags, 'swap-concurrency', 8),
      log,
    });
    return {
      images,
      faultRate,
      injectedFaults: pipeline.injectedFaults,
      injected: pipeline.injected,
      processed: pipeline.processed,
      rejected: pipeline.rejected,
      duplicatesIgnored: pipeline.duplicatesIgnored,
      lost: pipeline.lost,
      mismatches: pipeline.mismatches.length,
      deadLettered: pipeline.deadLettered,
      redelivered: pipeline.redelivered,
      workerRestarts: pipeline.workerRestarts,
      crashedMessages: pipeline.crashedMessages,
      featureWrites: pipeline.featureWrites,
      secondDelivery: pipeline.secondDelivery,
      pipelineRssPeakDeltaMb: pipeline.rssPeakDeltaMb,
      pipelineSeconds: round(pipeline.seconds),
      failedRequestsDuringSwap: swap.failedRequestsDuringSwap,
      swapRequests: swap.requests,
      swapVersions: swap.versions,
      swapMs: swap.swapMs,
      brokenAnswers: swap.brokenAnswers,
      brokenVersionsReported: [
        swap.brokenWeights.lastError?.version,
        swap.brokenModelJson.lastError?.version,
      ],
      swapP50Ms: swap.p50Ms,
      swapP99Ms: swap.p99Ms,
      refreshMs: swap.refreshMs,
      seconds: round((performance.now() - started) / 1000),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};

function rate(flags: Flags): number {
  const raw = flags['fault-rate'];
  if (raw === undefined) return 0.1;
  const value = Number(raw);
  if (typeof raw !== 'string' || !(value >= 0 && value <= 1))
    throw new UsageError(`--fault-rate expects a number within 0..1, got '${String(raw)}'`);
  return value;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
