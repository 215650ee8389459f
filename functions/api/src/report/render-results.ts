/**
 * Report sections about the outcome: training curves, the confusion matrix (with the image gallery it
 * opens), per-class metrics and calibration.
 */
import { PALETTE } from '../pages/palette.js';
import { confusionTable } from './charts/confusion.js';
import { lineChart } from './charts/line-chart.js';
import { reliabilityDiagram } from './charts/reliability.js';
import { escapeHtml, formatNumber, formatPercent } from './escape.js';
import type { LoadedReport } from './load-report.js';
import type { ReportData } from './report-data.js';

const MISSING = '<span class="missing">not recorded</span>';

/**
 * Loss and accuracy per epoch, training against validation, best epoch marked.
 *
 * @example
 * ```ts
 * trainingSection(report);
 * ```
 */
export function trainingSection(report: ReportData): string {
  const h = report.history;
  if (!h || h.length === 0)
    return `<section id="training"><h2>Training</h2><p>Per-epoch history: ${MISSING}</p></section>`;
  const pick = (k: 'loss' | 'acc' | 'valLoss' | 'valAcc') => h.map((e) => e[k]);
  const hasVal = h.some((e) => e.valLoss !== undefined || e.valAcc !== undefined);
  const series = (train: 'loss' | 'acc', val: 'valLoss' | 'valAcc') => [
    { name: 'training', values: pick(train), color: PALETTE.train },
    ...(hasVal ? [{ name: 'validation', values: pick(val), color: PALETTE.val, dashed: true }] : []),
  ];
  const best = report.bestEpoch;
  return [
    '<section id="training"><h2>Training</h2>',
    `<p>${h.length} epoch${h.length === 1 ? '' : 's'}; the model keeps the weights of ${best === undefined ? 'the last epoch (best epoch not recorded)' : `epoch ${best + 1}`}.${hasVal ? '' : ' No validation metrics were recorded.'}</p>`,
    '<div class="grid">',
    lineChart({
      id: 'loss-chart',
      title: 'Loss per epoch',
      yLabel: 'cross-entropy loss',
      series: series('loss', 'valLoss'),
      markEpoch: best,
    }),
    lineChart({
      id: 'acc-chart',
      title: 'Accuracy per epoch',
      yLabel: 'accuracy',
      yDomain: [0, 1],
      series: series('acc', 'valAcc'),
      markEpoch: best,
    }),
    '</div></section>',
  ].join('');
}

/**
 * Test accuracy, the confusion matrix and the (initially empty) gallery of a cell's test images.
 *
 * @example
 * ```ts
 * testSection(loaded);
 * ```
 */
export function testSection(loaded: LoadedReport): string {
  const t = loaded.report.test;
  const summary = `<dl class="facts"><dt>test accuracy</dt><dd class="test-accuracy">${formatPercent(t?.accuracy)}</dd><dt>macro F1</dt><dd>${formatNumber(t?.macroF1)}</dd><dt>test images</dt><dd>${t?.count ?? loaded.report.testKeys?.length ?? 'not recorded'}</dd></dl>`;
  if (!t?.confusion)
    return `<section id="test"><h2>Test results</h2>${summary}<p>Confusion matrix: ${MISSING}</p></section>`;
  const clickable = loaded.cells.cells !== undefined;
  const hint = clickable
    ? '<p class="muted">Press a cell to see its test images.</p>'
    : `<p class="missing">The images behind the cells cannot be shown: ${escapeHtml(loaded.cells.problem ?? '')}.</p>`;
  return [
    `<section id="test"><h2>Test results</h2>${summary}${hint}`,
    confusionTable(t.confusion, loaded.labels, clickable),
    '<div id="cell-view" aria-live="polite"><h3 id="cell-title" class="muted">No cell selected.</h3><ul id="cell-images" class="gallery"></ul></div>',
    '</section>',
  ].join('');
}

/**
 * Precision, recall, F1 and support per class.
 *
 * @example
 * ```ts
 * perClassSection(report);
 * ```
 */
export function perClassSection(report: ReportData): string {
  const rows = report.test?.perClass;
  if (!rows) return `<section id="per-class"><h2>Per class</h2><p>${MISSING}</p></section>`;
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row">${escapeHtml(r.label)}</th><td>${formatNumber(r.precision)}</td><td>${formatNumber(r.recall)}</td><td>${formatNumber(r.f1)}</td><td>${r.support ?? 'not recorded'}</td></tr>`,
    )
    .join('');
  return `<section id="per-class"><h2>Per class</h2><table class="per-class"><caption>Precision, recall and F1 on the test split</caption><thead><tr><th scope="col">class</th><th scope="col">precision</th><th scope="col">recall</th><th scope="col">F1</th><th scope="col">support</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

/**
 * Reliability diagrams before and after temperature scaling, with their ECE.
 *
 * @example
 * ```ts
 * calibrationSection(report);
 * ```
 */
export function calibrationSection(report: ReportData): string {
  const before = report.testUncalibrated;
  const after = report.test;
  const diagram = (id: string, title: string, e: typeof after, color: string) =>
    e?.reliability
      ? reliabilityDiagram({ id, title, bins: e.reliability, ece: e.ece, color })
      : `<p>${escapeHtml(title)}: ${MISSING}</p>`;
  return [
    '<section id="calibration"><h2>Calibration</h2>',
    `<p>Expected calibration error (ECE, 15 bins) before temperature scaling: <strong class="ece-before">${formatNumber(before?.ece)}</strong>; after: <strong class="ece-after">${formatNumber(after?.ece)}</strong>. Bars are the accuracy per confidence bin, the short lines the mean confidence, the dashed diagonal perfect calibration.</p>`,
    '<div class="grid">',
    diagram('rel-before', 'Before temperature scaling', before, PALETTE.train),
    diagram('rel-after', 'After temperature scaling', after, PALETTE.accent),
    '</div></section>',
  ].join('');
}
