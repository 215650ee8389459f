/**
 * `graft start <folder>`: from a folder of labelled images to a served model in one command. The running runtime
 * imports the folder as a data set, trains a model on it (`auto`) through its own API unless that model already
 * serves a version, and says how to ask it for predictions.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { BackboneRegistry } from '@graft/backbones';
import { importFolder } from '@graft/datasets';
import type { TrainingJob, TrainingResult } from '@graft/jobs';
import type { Runtime } from '@graft/local-aws';
import { names } from '@graft/storage';
import { ApiClient } from '../api-client.js';
import type { Flags } from '../command.js';
import { datasetBackbone } from '../dataset-backbone.js';
import { UsageError } from '../errors.js';
import { nameFlag } from '../flags.js';
import { followJob } from '../follow-job.js';
import type { Output } from '../output.js';
import { printTrainingSummary } from '../training-summary.js';

/** What `graft start <folder>` did with the folder (its `--json` line after the runtime's). */
export interface FolderOutcome {
  dataset: string;
  model: string;
  /** The version that serves now. */
  version: number;
  /** Whether this start trained it (false: the model already served a version and `--retrain` was not given). */
  trained: boolean;
  /** The training job's id, when one ran, and what it reported: strategy, test accuracy, uploads it could not use. */
  jobId?: string;
  strategy?: string;
  accuracy?: number;
  rejected?: TrainingResult['rejected'];
  predictUrl: string;
}

/**
 * A data set or model name from a folder's name: characters storage's name rule does not allow become `-`, at most
 * 64 characters, starting with a letter or digit (`My Photos/` → `My-Photos`); `images` when nothing is left.
 *
 * @example
 * ```ts
 * nameFromFolder('/home/me/My Photos'); // 'My-Photos'
 * ```
 */
export function nameFromFolder(dir: string): string {
  const base = path
    .basename(path.resolve(dir))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[^A-Za-z0-9]+$/, '');
  return names.nameProblem(base) === undefined ? base : 'images';
}

/**
 * Checks the folder and the names before anything starts: a usage error for a path that is not a folder, or a
 * `--dataset`/`--model` that breaks the name rule.
 *
 * @example
 * ```ts
 * const target = await folderTarget('./photos', flags); // { dir: '/abs/photos', dataset: 'photos', model: 'photos' }
 * ```
 */
export async function folderTarget(
  dir: string,
  flags: Flags,
): Promise<{ dir: string; dataset: string; model: string }> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UsageError(
      `${dir} is not a folder: graft start <folder> takes <label>/<image> or <split>/<label>/<image>`,
    );
  const dataset = flags.dataset === undefined ? nameFromFolder(dir) : nameFlag(flags, 'dataset');
  const model = flags.model === undefined ? dataset : nameFlag(flags, 'model');
  return { dir: path.resolve(dir), dataset, model };
}

/**
 * Imports the folder into the running runtime, trains unless the model already serves (or `--retrain`), and
 * prints how to predict. Throws when the import or the training fails (the job's code and message).
 *
 * @example
 * ```ts
 * const outcome = await serveFolder(runtime, await folderTarget('./photos', flags), flags, out);
 * ```
 */
export async function serveFolder(
  runtime: Runtime,
  target: { dir: string; dataset: string; model: string },
  flags: Flags,
  out: Output,
): Promise<FolderOutcome> {
  const { dir, dataset, model } = target;
  out.info(`importing ${dir} as data set ${dataset} …`);
  const imported = await importFolder(runtime.store, dataset, dir, {
    config: await datasetBackbone(new BackboneRegistry(runtime.store), flags),
    onProgress: ({ done, total }) => out.progress('upload', done, total),
  });
  if (imported.total === 0)
    throw new UsageError(
      `${dir} holds no file inside a label folder: graft start <folder> takes <label>/<image> or <split>/<label>/<image>`,
    );
  const perLabel = new Map<string, number>();
  for (const split of Object.values(imported.counts))
    for (const [label, n] of Object.entries(split)) perLabel.set(label, (perLabel.get(label) ?? 0) + n);
  out.info(
    `uploaded ${imported.total} files in ${perLabel.size} label${perLabel.size === 1 ? '' : 's'} (${[...perLabel].map(([l, n]) => `${l} ${n}`).join(', ')})` +
      (imported.skipped.length ? `; skipped ${skippedText(imported.skipped)}` : ''),
  );
  const api = new ApiClient(runtime.apiUrl, runtime.token);
  const predictUrl = `${runtime.apiUrl}/v1/models/${encodeURIComponent(model)}/predict`;
  const serving = await servingVersion(api, model);
  let outcome: FolderOutcome;
  if (serving !== undefined && !flags.retrain) {
    out.info(
      `model ${model} already serves v${serving}: not trained again (graft start <folder> --retrain, or graft train --dataset ${dataset} --model ${model})`,
    );
    outcome = { dataset, model, version: serving, trained: false, predictUrl };
  } else {
    const { id } = await api.json<{ id: string }>('POST', '/v1/trainings', {
      dataset,
      model,
      strategy: 'auto',
    });
    const job: TrainingJob = await followJob(api, id, out);
    if (job.result) printTrainingSummary(job.result, api, out);
    const version = (await servingVersion(api, model)) ?? job.result?.version ?? 0;
    const result = job.result;
    outcome = {
      dataset,
      model,
      version,
      trained: true,
      jobId: id,
      ...(result
        ? {
            strategy: result.strategy,
            accuracy: result.metrics.accuracy,
            ...(result.rejected ? { rejected: result.rejected } : {}),
          }
        : {}),
      predictUrl,
    };
  }
  if (!out.json) {
    out.info(`predict: graft predict <image> --model ${model}`);
    out.info(
      `     or: curl -H "authorization: Bearer <token>" -H "content-type: image/jpeg" --data-binary @<image> ${predictUrl}`,
    );
  }
  return outcome;
}

/** `3 (hidden 2, not inside a label folder 1)`: how many files the import skipped, by why. */
function skippedText(skipped: { reason: string }[]): string {
  const byReason = new Map<string, number>();
  for (const { reason } of skipped) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  return `${skipped.length} (${[...byReason].map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}

async function servingVersion(api: ApiClient, model: string): Promise<number | undefined> {
  try {
    const found = await api.json<{ servingVersion?: number | null }>(
      'GET',
      `/v1/models/${encodeURIComponent(model)}`,
    );
    return found.servingVersion ?? undefined;
  } catch (error) {
    if ((error as { code?: string }).code === 'model_not_found') return undefined;
    throw error;
  }
}
