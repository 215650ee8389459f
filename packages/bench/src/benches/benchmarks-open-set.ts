/**
 * The out-of-distribution part of BENCHMARKS.md, from `graft eval open-set --out` (`test/bench/results/open-set.json`):
 * the summary rows against the targets and a table per outlier set and method beside the max-softmax baseline.
 */
import { fmt, get, num, type Result } from './result-format.js';

const METHODS = ['msp', 'energy', 'mahalanobis', 'knn'] as const;
const NAMES: Record<string, string> = {
  msp: 'max softmax (baseline)',
  energy: 'energy',
  mahalanobis: 'Mahalanobis',
  knn: 'kNN',
};

/**
 * Summary rows of the open-set evaluation (the default method against the issue's targets).
 *
 * @example
 * ```ts
 * openSetRows(results['open-set']); // [{ from: 'open-set', what: …, ours: …, anchor: …, met: true }, …]
 * ```
 */
export function openSetRows(
  r: Result | undefined,
): { from: string; what: string; ours: string; anchor: string; met?: boolean }[] {
  const method = String(get(r, 'modelMethod') ?? 'mahalanobis');
  const m = (k: string) => get(r, `methods.${method}.${k}`);
  const defined = (v: unknown) => num(v) !== undefined;
  const cost = num(get(r, `cost.${method}.scoreShare`));
  const bytes = Math.max(
    ...Object.values((get(r, 'oodBytes') as Record<string, number>) ?? { none: Number.NaN }),
  );
  return [
    {
      from: 'open-set',
      what: `out-of-distribution, far (digits model vs Fashion-MNIST, noise, photos), ${NAMES[method] ?? method}: worst AUROC / worst FPR at 95 % TPR`,
      ours: `${fmt(m('farMinAuroc'), 4)} / ${fmt(num(m('farMaxFpr95')) === undefined ? undefined : num(m('farMaxFpr95'))! * 100, 1, ' %')} (max softmax: ${fmt(get(r, 'methods.msp.farMinAuroc'), 4)})`,
      anchor: 'target AUROC ≥ 0.99, FPR95 ≤ 5 %',
      met: defined(m('farMinAuroc'))
        ? num(m('farMinAuroc'))! >= 0.99 && num(m('farMaxFpr95'))! <= 0.05
        : undefined,
    },
    {
      from: 'open-set',
      what: `out-of-distribution, near (Fashion-MNIST 0–4 model vs 5–9), ${NAMES[method] ?? method}: AUROC`,
      ours: `${fmt(m('nearAuroc'), 4)} (max softmax: ${fmt(get(r, 'near.msp.auroc'), 4)})`,
      anchor: 'target ≥ 0.85',
      met: defined(m('nearAuroc')) ? num(m('nearAuroc'))! >= 0.85 : undefined,
    },
    {
      from: 'open-set',
      what: 'accuracy on the accepted in-distribution digits vs plain accuracy; ood.bin; score cost per image',
      ours: `${fmt(get(r, 'accuracy.accepted'), 4)} vs ${fmt(get(r, 'accuracy.plain'), 4)}; ${fmt(bytes / 1e6, 2, ' MB')}; ${fmt(cost === undefined ? undefined : cost * 100, 1, ' %')} of a prediction`,
      anchor: 'targets ≥ plain; ≤ 2 MB; ≤ 10 %',
      met:
        cost === undefined
          ? undefined
          : num(get(r, 'accuracy.accepted'))! >= num(get(r, 'accuracy.plain'))! &&
            bytes <= 2_000_000 &&
            cost <= 0.1,
    },
  ];
}

/**
 * The open-set section: AUROC / FPR95 per outlier set and method, the near-OOD row, the reduction and the cost.
 *
 * @example
 * ```ts
 * openSetSection(results['open-set']); // '\n## Out-of-distribution detection, measured\n…'
 * ```
 */
export function openSetSection(r: Result | undefined): string {
  const far = get(r, 'far') as Record<string, Result> | undefined;
  if (!far) return '';
  const cell = (s: Result | undefined, m: string) =>
    `${fmt(get(s, `${m}.auroc`), 4)} / ${fmt((num(get(s, `${m}.fpr95`)) ?? Number.NaN) * 100, 1, ' %')}`;
  const header = `| in-distribution vs | ${METHODS.map((m) => NAMES[m]).join(' | ')} |`;
  const lines = [header, `|---|${METHODS.map(() => '---').join('|')}|`];
  for (const [set, s] of Object.entries(far))
    lines.push(`| digits vs ${set} | ${METHODS.map((m) => cell(s, m)).join(' | ')} |`);
  lines.push(
    `| Fashion 0–4 vs 5–9 (near) | ${METHODS.map((m) => cell(get(r, 'near') as Result, m)).join(' | ')} |`,
  );
  const reduction = ((get(r, 'reduction') as Result[] | undefined) ?? []).map(
    (v) =>
      `| ${v.variant} | ${fmt(v.components, 0)} | ${fmt(v.bankRows, 0)} | ${fmt(get(v, 'mahalanobis.fashion'), 4)} | ${fmt(get(v, 'mahalanobis.near'), 4)} | ${fmt(get(v, 'knn.near'), 4)} |`,
  );
  const cost = METHODS.map(
    (m) =>
      `| ${NAMES[m]} | ${fmt(get(r, `cost.${m}.scoreMs`), 3)} | ${fmt((num(get(r, `cost.${m}.scoreShare`)) ?? Number.NaN) * 100, 1, ' %')} | ${fmt(get(r, `cost.${m}.endToEndMs`), 1)} |`,
  );
  return `
## Out-of-distribution detection, measured

\`graft eval open-set\`: a digits model trained like the demo's (${fmt(get(r, 'inDistribution.perClass'), 0)} training and ${fmt(get(r, 'inDistribution.valPerClass'), 0)} validation images per class, \`auto\` → ${get(r, 'inDistribution.strategy')}) against its ${fmt(get(r, 'inDistribution.testImages'), 0)} held-out digits; near-OOD: a Fashion-MNIST classes 0–4 model (\`auto\` → ${get(r, 'near.strategy')}) shown classes 5–9. AUROC / FPR at 95 % TPR (higher / lower is better). Default method: **${NAMES[String(get(r, 'modelMethod'))] ?? get(r, 'modelMethod')}** (the eval's pick: ${NAMES[String(get(r, 'best'))] ?? get(r, 'best')}).

${lines.join('\n')}

Accuracy on the digits the default method accepts (${fmt((num(get(r, 'accuracy.acceptedShare')) ?? Number.NaN) * 100, 1, ' %')} of them): ${fmt(get(r, 'accuracy.accepted'), 4)}, against ${fmt(get(r, 'accuracy.plain'), 4)} on all.

What fitting the detector into 2 MB costs (refitted on the same training features; AUROC):

| variant | Mahalanobis directions | kNN bank rows | Mahalanobis vs Fashion-MNIST | Mahalanobis near | kNN near |
|---|---|---|---|---|---|
${reduction.join('\n')}

Cost per image (the score alone on one image's features and logits, against a whole prediction of ${fmt(get(r, 'cost.plainMs'), 1)} ms in the same run; end to end, interleaved, the difference is inside the noise of the shared machine):

| method | score ms | share of a prediction | prediction with the score, ms |
|---|---|---|---|
${cost.join('\n')}
`;
}
