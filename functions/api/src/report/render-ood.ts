/**
 * The report's out-of-distribution section: the validation scores against the reference outliers, how each method
 * separates them, and the test images nearest the threshold.
 */
import { scoreHistogram } from './charts/score-histogram.js';
import { escapeHtml, formatNumber, formatPercent } from './escape.js';
import type { LoadedReport } from './load-report.js';

const METHOD_NAMES: Record<string, string> = {
  msp: 'max softmax (baseline)',
  energy: 'energy',
  mahalanobis: 'Mahalanobis',
  knn: 'k nearest neighbours',
};

/**
 * Renders the "None of the labels" section, or says the version has no OOD data.
 *
 * @example
 * ```ts
 * oodSection(loaded, 'versions/3/test-images/');
 * ```
 */
export function oodSection(loaded: LoadedReport, imageBase: string): string {
  const ood = loaded.report.ood;
  const heading = '<section id="ood"><h2>None of the labels: out-of-distribution detection</h2>';
  if (!ood)
    return `${heading}<p class="missing">This version has no out-of-distribution data (it was trained before Graft fitted it): its predictions answer <code>ood: null</code>.</p></section>`;
  const name = METHOD_NAMES[ood.method] ?? ood.method;
  const keep = ood.keep === undefined ? '95 %' : formatPercent(ood.keep, 0);
  const intro = `<p>Every prediction is scored with <strong>${escapeHtml(name)}</strong>; an image scoring above ${formatNumber(ood.threshold)} (the threshold that keeps ${keep} of the validation images) is answered <code>unknown: true</code> — it looks like none of the labels. A request can pass <code>oodThreshold</code> or <code>oodMethod</code>.</p>`;
  const test = ood.test
    ? `<dl class="facts"><dt>test images flagged unknown</dt><dd>${formatPercent(ood.test.unknown)}</dd><dt>accuracy on all test images</dt><dd>${formatPercent(ood.test.accuracy)}</dd><dt>accuracy on the accepted ones</dt><dd>${formatPercent(ood.test.acceptedAccuracy)}</dd>${ood.bytes === undefined ? '' : `<dt>ood.bin</dt><dd>${(ood.bytes / 1e6).toFixed(2)} MB</dd>`}</dl>`
    : '';
  const chart = scoreHistogram({
    id: 'ood-chart',
    title: `${name} score: validation images against reference outliers (noise, flat colours, gradients, stripes)`,
    inside: ood.validationScores,
    outside: ood.referenceScores,
    threshold: ood.threshold,
  });
  const rows = ood.separation
    .map(
      (s) =>
        `<tr${s.method === ood.method ? ' class="current"' : ''}><th scope="row">${escapeHtml(METHOD_NAMES[s.method] ?? s.method)}${s.method === ood.method ? ' <span class="muted">(used)</span>' : ''}</th><td>${formatNumber(s.auroc)}</td><td>${formatPercent(s.fpr95)}</td></tr>`,
    )
    .join('');
  const table = rows
    ? `<table class="separation"><caption>Validation images against the reference outliers, per method</caption><thead><tr><th scope="col">method</th><th scope="col">AUROC</th><th scope="col">outliers accepted at 95 % kept</th></tr></thead><tbody>${rows}</tbody></table>`
    : '';
  const keys = loaded.report.testKeys ?? [];
  const nearest = ood.nearest
    .map((n) => {
      const index = keys.indexOf(n.key);
      const label = (i?: number) => (i === undefined ? '?' : (loaded.labels[i] ?? String(i)));
      const caption = `score ${formatNumber(n.score)} — ${n.unknown ? 'unknown' : 'accepted'}; true ${label(n.label)}, predicted ${label(n.predicted)}`;
      const img =
        index >= 0
          ? `<img src="${escapeHtml(`${imageBase}${index}`)}" alt="${escapeHtml(`test image ${n.key.split('/').pop()}: ${caption}`)}" width="84" height="84">`
          : '';
      return `<li class="${n.unknown ? 'ood-unknown' : 'ood-accepted'}">${img}<span>${escapeHtml(caption)}</span></li>`;
    })
    .join('');
  const nearestList = nearest
    ? `<h3>Test images nearest the threshold</h3><ul class="gallery ood-nearest">${nearest}</ul>`
    : '<p class="muted">No test split: no test images to show against the threshold.</p>';
  return `${heading}${intro}${test}${chart}${table}${nearestList}</section>`;
}
