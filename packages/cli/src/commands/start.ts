import { startRuntime } from '@graft/local-aws';
import type { Command, Flags } from '../command.js';
import { assertNotRunning, dataDirOf, writeRuntimeInfo } from '../connection.js';
import { intFlag } from '../flags.js';
import { waitForSignal } from '../signals.js';
import { describeModelLoad, processStartup } from '../startup-report.js';

/**
 * `graft start [<folder>]` — the embedded runtime until SIGINT/SIGTERM: S3, S3-event fan-out to workers, job runner,
 * API. Given a folder of labelled images, it also imports it, trains a model on it and serves it (`serve-folder.ts`).
 */
export const startCommand: Command = {
  summary:
    'Run Graft on this machine (embedded S3, extraction workers fed by S3 events, job runner and API); given a folder of labelled images, also import it, train on it and serve the model.',
  usage:
    'graft start [<folder> [--dataset NAME] [--model NAME] [--retrain] [--backbone ID] [--input-size N] [--cut LAYER]] [--port 8787] [--data-dir .graft] [--workers N] [--inference-threads N|auto] [--max-batch 8] [--json]',
  options: {
    dataset: { type: 'string' },
    model: { type: 'string' },
    retrain: { type: 'boolean' },
    backbone: { type: 'string' },
    'input-size': { type: 'string' },
    cut: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    workers: { type: 'string' },
    'inference-threads': { type: 'string' },
    'max-batch': { type: 'string' },
  },
  async run({ flags, positionals, out }) {
    const commandStartMs = performance.now();
    // A folder is checked before anything starts: a typo fails at once, not after the runtime is up. Its module (the
    // importer, the backbone registry) loads only then: a plain start stays off that path.
    const dir = positionals[0];
    const folderModule = dir === undefined ? undefined : await import('./serve-folder.js');
    const folder =
      folderModule && dir !== undefined ? await folderModule.folderTarget(dir, flags) : undefined;
    await assertNotRunning(dataDirOf(flags));
    const runtime = await startRuntime({
      dataDir: flags['data-dir'] as string | undefined,
      port: flags.port === undefined ? undefined : intFlag(flags, 'port', 0),
      workers: flags.workers === undefined ? undefined : intFlag(flags, 'workers', 1),
      ...inferenceFlags(flags),
      log: (m) => out.info(m),
      // stderr: one JSON object per load with --json (stdout's last line stays the result)
      onModelLoad: (event) =>
        out.info(out.json ? JSON.stringify({ event: 'model_loaded', ...event }) : describeModelLoad(event)),
    });
    const forget = await writeRuntimeInfo(dataDirOf(flags), {
      apiUrl: runtime.apiUrl,
      token: runtime.token,
      s3Endpoint: runtime.s3Endpoint,
      ...(runtime.s3Credentials ? { s3Credentials: runtime.s3Credentials } : {}),
      bucket: runtime.bucket,
      pid: process.pid,
    });
    try {
      out.result({
        apiUrl: runtime.apiUrl,
        token: runtime.token,
        s3Endpoint: runtime.s3Endpoint,
        bucket: runtime.bucket,
        startup: processStartup(commandStartMs, runtime.startup),
      });
      if (!out.json) {
        out.info(
          `Upload images to s3://${runtime.bucket}/datasets/<name>/<label>/<file> at ${runtime.s3Endpoint}`,
        );
        if (runtime.s3Credentials) {
          out.info(
            `S3 requests must be signed with this data folder's key pair (s3/.graft-s3-credentials.json, also in runtime.json); graft import uses it.`,
          );
        }
        out.info(`API docs: ${runtime.apiUrl}/docs — Ctrl-C to stop.`);
      }
      if (folderModule && folder)
        out.result({ ...(await folderModule.serveFolder(runtime, folder, flags, out)) });
      await waitForSignal();
      return 0;
    } finally {
      await forget();
      await runtime.close();
    }
  },
};

/** `--inference-threads N|auto` and `--max-batch N` (unset: GRAFT_INFERENCE_THREADS / GRAFT_MAX_BATCH decide). */
function inferenceFlags(flags: Flags): {
  inferenceThreads?: number | 'auto';
  maxBatchSize?: number;
} {
  const threads = flags['inference-threads'];
  return {
    ...(threads === undefined
      ? {}
      : { inferenceThreads: threads === 'auto' ? 'auto' : intFlag(flags, 'inference-threads', 0) }),
    ...(flags['max-batch'] === undefined ? {} : { maxBatchSize: intFlag(flags, 'max-batch', 8) }),
  };
}
