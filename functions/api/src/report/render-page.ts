/**
 * The training report page of one model version: data set, strategy, curves, confusion matrix with its test
 * images, per-class metrics, calibration and the comparison with the other versions.
 */
import { htmlPage } from '../pages/layout.js';
import type { ModelInfo } from '../ports.js';
import { escapeHtml, formatNumber, formatPercent, jsonForScript } from './escape.js';
import type { LoadedReport } from './load-report.js';
import { datasetSection, decisionSection } from './render-data.js';
import { oodSection } from './render-ood.js';
import { calibrationSection, perClassSection, testSection, trainingSection } from './render-results.js';
import { REPORT_SCRIPT } from './report-script.js';

/**
 * What {@link renderReportPage} needs.
 *
 * @example
 * ```ts
 * const input: ReportPageInput = { loaded, model, versionsBase: 'versions/', nonce };
 * ```
 */
export interface ReportPageInput {
  loaded: LoadedReport;
  /** The model and all its versions (for the comparison table). */
  model?: ModelInfo;
  /**
   * `/v1/models/<name>/versions/` relative to the page: `versions/` on `/v1/models/<name>/report`, `../` on
   * `/v1/models/<name>/versions/<v>/report` (relative links keep working behind a path prefix).
   */
  versionsBase: string;
  /** CSP nonce of the request. */
  nonce?: string;
}

/**
 * Renders the whole report page.
 *
 * @example
 * ```ts
 * return c.html(renderReportPage({ loaded, model, versionsBase: '../', nonce }));
 * ```
 */
export function renderReportPage(input: ReportPageInput): string {
  const { loaded, model } = input;
  const r = loaded.report;
  const serving = model?.servingVersion === loaded.version ? ' (serving)' : '';
  const subtitle = [
    `version ${loaded.version}${serving}`,
    loaded.createdAt ? `trained ${loaded.createdAt}` : undefined,
    r.dataset ? `data set ${r.dataset}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const data = {
    labels: loaded.labels,
    keys: r.testKeys ?? [],
    cells: loaded.cells.cells ?? [],
    imageBase: `${input.versionsBase}${loaded.version}/test-images/`,
  };
  const body = [
    loaded.missing
      ? '<p class="missing">This version has no report.json (it was published before reports were recorded): everything below is not recorded.</p>'
      : '',
    datasetSection(r, loaded.labels),
    decisionSection(r),
    trainingSection(r),
    testSection(loaded),
    perClassSection(r),
    calibrationSection(r),
    oodSection(loaded, data.imageBase),
    versionsSection(loaded, input.versionsBase, model),
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
  ].join('');
  return htmlPage({
    title: `Training report: ${loaded.name} v${loaded.version}`,
    heading: `Training report: ${loaded.name}`,
    subtitle,
    body,
    script: REPORT_SCRIPT,
    nonce: input.nonce,
  });
}

function versionsSection(loaded: LoadedReport, versionsBase: string, model?: ModelInfo): string {
  if (!model || model.versions.length === 0)
    return '<section id="versions"><h2>Versions</h2><p class="missing">not recorded</p></section>';
  const rows = [...model.versions]
    .sort((a, b) => b.version - a.version)
    .map((v) => {
      const m = (v.metrics ?? {}) as Record<string, unknown>;
      const ece = m.eceCalibrated ?? m.ece;
      const marks = [
        v.version === loaded.version ? 'this report' : '',
        v.version === model.servingVersion ? 'serving' : '',
      ]
        .filter(Boolean)
        .join(', ');
      const link =
        v.version === loaded.version
          ? `v${v.version}`
          : `<a href="${escapeHtml(`${versionsBase}${v.version}/report`)}">v${v.version}</a>`;
      return `<tr${v.version === loaded.version ? ' class="current"' : ''}><th scope="row">${link}${marks ? ` <span class="muted">(${marks})</span>` : ''}</th><td class="text">${escapeHtml(v.createdAt ?? 'not recorded')}</td><td class="text">${escapeHtml(typeof v.strategy === 'string' ? v.strategy : 'not recorded')}</td><td>${formatPercent(m.accuracy)}</td><td>${formatNumber(ece)}</td></tr>`;
    });
  return `<section id="versions"><h2>Versions</h2><table class="versions"><caption>Every version of ${escapeHtml(loaded.name)}, newest first (ECE after temperature scaling)</caption><thead><tr><th scope="col">version</th><th scope="col">date</th><th scope="col">strategy</th><th scope="col">test accuracy</th><th scope="col">ECE</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}
