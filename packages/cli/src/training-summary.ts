import type { TrainingResult } from '@graft/jobs';
import type { ApiClient } from './api-client.js';
import type { Output } from './output.js';

/** Rejected uploads a summary names (the job result holds up to 20, the version's report all). */
const SHOWN_REJECTS = 5;

/**
 * What people read when a training job has succeeded: the candidates it compared, the uploads it could not use,
 * warnings, whether the version serves, and a link to its report page. Nothing with `--json` (the result line says
 * it all).
 *
 * @example
 * ```ts
 * const job = await followJob(api, id, out);
 * if (job.result) printTrainingSummary(job.result, api, out);
 * ```
 */
export function printTrainingSummary(result: TrainingResult, api: ApiClient, out: Output): void {
  if (out.json) return;
  for (const c of result.candidates ?? [])
    out.info(
      `  ${c.chosen ? '→' : ' '} ${c.name.padEnd(44)} ${c.crossValidation ? `cv ${c.crossValidation.accuracy.toFixed(3)} ± ${c.crossValidation.sd.toFixed(3)}  ` : ''}${
        c.crossValidation && c.valAccuracy === undefined
          ? 'below the best cross-validated: not trained further'
          : c.skipped
            ? `not run: ${c.skipped}`
            : `val ${c.valAccuracy?.toFixed(3) ?? '(none)'}  ${c.seconds?.toFixed(1)} s`
      }`,
    );
  if (result.rejected) {
    const { count, first } = result.rejected;
    out.info(
      `${count} upload${count === 1 ? ' was' : 's were'} not used (each has a rejects/ record; the report lists them all):`,
    );
    for (const r of first.slice(0, SHOWN_REJECTS)) out.info(`  ${r.key}: ${r.code} — ${r.message}`);
    if (count > SHOWN_REJECTS) out.info(`  … and ${count - SHOWN_REJECTS} more`);
  }
  for (const warning of result.warnings ?? []) out.info(`warning: ${warning}`);
  out.info(
    result.promoted ? `serving v${result.version}` : `v${result.version}: ${result.promotion.message}`,
  );
  out.info(
    `report: ${api.pageLink(`/v1/models/${encodeURIComponent(result.model)}/versions/${result.version}/report`)}`,
  );
}
