/**
 * Report sections about the input: the data set (images per class and split, rejected uploads) and the
 * advisor's decision.
 */
import { escapeHtml } from './escape.js';
import type { ReportData } from './report-data.js';

const MISSING = '<span class="missing">not recorded</span>';

/** What each scenario means (DESIGN.md: size × similarity). */
const SCENARIOS: Readonly<Record<number, string>> = {
  1: 'small data set, similar to the source data → feature extraction',
  2: 'small data set, different from the source data → freeze the early layers, retrain the upper ones',
  3: 'large data set, different from the source data → architecture only, trained from scratch',
  4: 'large data set, similar to the source data → fine-tune everything',
};

/**
 * The data set section: a table of images per class and split, and the rejected uploads.
 *
 * @example
 * ```ts
 * datasetSection(report, ['cat', 'dog']);
 * ```
 */
export function datasetSection(report: ReportData, labels: string[]): string {
  const counts = report.counts;
  let table = `<p>Images per class and split: ${MISSING}</p>`;
  if (counts) {
    const splits = [
      'train',
      'val',
      'test',
      ...Object.keys(counts).filter((s) => !['train', 'val', 'test'].includes(s)),
    ];
    const classes = [...new Set([...labels, ...Object.values(counts).flatMap((c) => Object.keys(c))])];
    const cell = (split: string, label: string) => counts[split]?.[label] ?? 0;
    const rows = classes.map(
      (label) =>
        `<tr><th scope="row">${escapeHtml(label)}</th>${splits.map((s) => `<td>${cell(s, label)}</td>`).join('')}<td>${splits.reduce((a, s) => a + cell(s, label), 0)}</td></tr>`,
    );
    const totals = splits.map((s) => classes.reduce((a, l) => a + cell(s, l), 0));
    table = [
      '<table class="counts"><caption>Images per class and split</caption>',
      `<thead><tr><th scope="col">class</th>${splits.map((s) => `<th scope="col">${escapeHtml(s)}</th>`).join('')}<th scope="col">all</th></tr></thead>`,
      `<tbody>${rows.join('')}</tbody>`,
      `<tfoot><tr><th scope="row">all</th>${totals.map((t) => `<td>${t}</td>`).join('')}<td>${totals.reduce((a, b) => a + b, 0)}</td></tr></tfoot></table>`,
    ].join('');
  }
  const rejected =
    report.rejectedCount === undefined
      ? `<p>Rejected uploads: ${MISSING}</p>`
      : `<p>Rejected uploads: <strong class="rejected-count">${report.rejectedCount}</strong></p>${rejectedList(report)}`;
  return `<section id="dataset"><h2>Data set ${report.dataset ? `<code>${escapeHtml(report.dataset)}</code>` : ''}</h2>${table}${rejected}</section>`;
}

function rejectedList(report: ReportData): string {
  const list = report.rejected ?? [];
  if (list.length === 0) return '';
  const items = list
    .slice(0, 200)
    .map(
      (r) => `<li><code>${escapeHtml(r.key)}</code>: ${escapeHtml(r.code)} — ${escapeHtml(r.message)}</li>`,
    );
  const more = list.length > 200 ? `<li>… and ${list.length - 200} more</li>` : '';
  return `<details><summary>Why they were rejected</summary><ul>${items.join('')}${more}</ul></details>`;
}

/**
 * The decision section: scenario, strategy and the advisor's explanation.
 *
 * @example
 * ```ts
 * decisionSection(report);
 * ```
 */
export function decisionSection(report: ReportData): string {
  const d = report.decision;
  const a = d?.advice;
  const scenario =
    d?.scenario !== undefined
      ? `${d.scenario}${SCENARIOS[d.scenario] ? ` — ${escapeHtml(SCENARIOS[d.scenario])}` : ''}`
      : d?.strategy
        ? '<span class="missing">none (the strategy was chosen by the user)</span>'
        : MISSING;
  const facts: [string, string][] = [
    ['strategy', d?.strategy ? `<strong class="strategy">${escapeHtml(d.strategy)}</strong>` : MISSING],
    ['scenario', scenario],
  ];
  if (a?.size) facts.push(['data set size', escapeHtml(a.size)]);
  if (a?.similarity) facts.push(['similarity to the source data', escapeHtml(a.similarity)]);
  if (d?.cut !== undefined) facts.push(['trained above', `<code>${escapeHtml(d.cut)}</code>`]);
  else if (a && a.cut !== undefined)
    facts.push(['frozen up to', a.cut === null ? 'nothing' : `<code>${escapeHtml(a.cut)}</code>`]);
  if (report.seconds !== undefined) facts.push(['training time', `${report.seconds.toFixed(1)} s`]);
  if (report.backbone)
    facts.push([
      'backbone',
      `<code>${escapeHtml(report.backbone)}</code>${provenanceText(report.backboneProvenance)}`,
    ]);
  const v = report.validation;
  if (v?.accuracy !== undefined)
    facts.push([
      'validation',
      `${v.accuracy.toFixed(3)} on ${v.images ?? '?'} images${v.judged === false ? ' (too few to judge against chance)' : `, chance ${v.chance?.toFixed(3)} (needed > ${v.threshold?.toFixed(3)})`}`,
    ]);
  if (report.promotion?.message)
    facts.push([report.promoted === false ? 'not serving' : 'serving', escapeHtml(report.promotion.message)]);
  const explanation = d?.explanation ?? a?.explanation;
  return [
    '<section id="decision"><h2>Strategy</h2><dl class="facts">',
    facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join(''),
    '</dl>',
    `<h3>The advisor's explanation</h3><p class="explanation">${explanation ? escapeHtml(explanation) : MISSING}</p>`,
    raceTable(report),
    '</section>',
  ].join('');
}

/** Where a backbone came from, in words (empty when not recorded). */
function provenanceText(p: ReportData['backboneProvenance']): string {
  if (!p?.kind) return '';
  const from =
    p.kind === 'developed'
      ? `developed by Graft: model ${p.model ?? '?'} v${p.version ?? '?'} on data set ${p.dataset ?? '?'}`
      : p.kind === 'url'
        ? `downloaded from ${p.url ?? '?'}`
        : p.kind === 'folder'
          ? `added from a folder`
          : 'bundled (ImageNet MobileNetV2, upper blocks retrained by nsfwjs)';
  return ` — ${escapeHtml(from)}`;
}

/**
 * `auto`'s race: each candidate, its cross-validated accuracy (when the cheap ones were cross-validated), its
 * validation accuracy and time, the winner marked (empty when there was none).
 */
function raceTable(report: ReportData): string {
  const rows = report.candidates;
  if (!rows?.length) return '';
  const validated = rows.some((c) => c.cvAccuracy !== undefined);
  const cv = (c: (typeof rows)[number]) =>
    validated
      ? `<td>${c.cvAccuracy === undefined ? '' : `${c.cvAccuracy.toFixed(3)} ± ${c.cvSd?.toFixed(3) ?? '?'}`}</td>`
      : '';
  const cells = rows
    .map(
      (c) =>
        `<tr${c.chosen ? ' class="chosen"' : ''}><td>${c.chosen ? '✔ ' : ''}${escapeHtml(c.name)}${c.advised ? ' <em>(advised)</em>' : ''}</td>` +
        cv(c) +
        (c.skipped
          ? `<td colspan="2">not run: ${escapeHtml(c.skipped)}</td>`
          : `<td>${c.valAccuracy?.toFixed(3) ?? 'no validation images'}</td><td>${c.seconds?.toFixed(1) ?? ''} s${c.estimatedSeconds === undefined ? '' : ` (estimated ${c.estimatedSeconds.toFixed(0)} s)`}</td>`) +
        '</tr>',
    )
    .join('');
  return `<h3>Candidates checked on the validation split</h3><table class="race"><thead><tr><th>candidate</th>${validated ? '<th>cross-validated accuracy</th>' : ''}<th>validation accuracy</th><th>time</th></tr></thead><tbody>${cells}</tbody></table>`;
}
