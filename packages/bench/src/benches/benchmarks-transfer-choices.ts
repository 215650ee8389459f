/**
 * Issue 14's parts of BENCHMARKS.md: `graft eval product-scenarios --out` (per cell, `auto` beside every explicit
 * strategy) and `graft eval fashion-features --out` (feature extraction at the bundled backbone's default cut and size).
 */
import { fmt, get, num, type Result } from './result-format.js';

/**
 * The summary row of `graft eval fashion-features`: the default cut's pooled features alone (what the product trains
 * on) and beside the finer taps; met when the better of the two reaches `target` (the feature-extraction target).
 *
 * @example
 * ```ts
 * fashionFeaturesRow(results['fashion-features'], 0.91).ours; // '0.8950 alone / 0.9080 with block_3_expand_relu, …'
 * ```
 */
export function fashionFeaturesRow(
  r: Result | undefined,
  target: number,
): {
  from: string;
  what: string;
  ours: string;
  anchor: string;
  met?: boolean;
} {
  const alone = num(get(r, 'cutAlone'));
  const taps = num(get(r, 'withTaps'));
  const best = Math.max(alone ?? Number.NaN, taps ?? Number.NaN);
  return {
    from: 'fashion-features',
    what: `Fashion-MNIST, feature extraction at the bundled backbone's default cut and input size (${String(get(r, 'cut') ?? 'cut')}, ${fmt(get(r, 'inputSize'), 0, ' px')}; ${fmt(get(r, 'trainImages'), 0)} / ${fmt(get(r, 'testImages'), 0)} images): pooled cut alone / beside its finer taps`,
    ours: `${fmt(alone, 4)} alone / ${fmt(taps, 4)} with ${((get(r, 'taps') as string[] | undefined) ?? []).join(', ')}`,
    anchor: `0.908 (frozen MobileNetV2 + dense); target ≥ ${target}`,
    ...(Number.isNaN(best) ? {} : { met: best >= target }),
  };
}

/**
 * The per-cell table of `graft eval product-scenarios` (one line per cell and job kind), or '' when it was not run.
 *
 * @example
 * ```ts
 * productScenariosSection(results['product-scenarios']); // '\n## The four scenarios through the product path …'
 * ```
 */
export function productScenariosSection(r: Result | undefined): string {
  const cells = get(r, 'cells');
  if (!Array.isArray(cells) || cells.length === 0) return '';
  const lines = [
    '| cell | job | test accuracy (mean ± sd) | runs | best | auto served |',
    '|---|---|---|---|---|---|',
  ];
  for (const cell of cells as Result[]) {
    const strategies = (get(cell, 'strategies') as Record<string, Result> | undefined) ?? {};
    for (const [name, st] of Object.entries(strategies)) {
      const runs = ((st.runs as number[] | undefined) ?? []).map((x) => fmt(x, 3)).join(', ');
      const served = name === 'auto' ? ((cell.autoPicks as string[] | undefined) ?? []).join(', ') : '';
      lines.push(
        `| ${cell.size} × ${cell.similarity} | ${name} | ${fmt(st.mean, 4)} ± ${fmt(st.sd, 4)} | ${runs} | ${cell.best === name ? '✓' : ''} | ${served} |`,
      );
    }
  }
  const s = (get(r, 'settings') ?? {}) as Result;
  return `\n## The four scenarios through the product path, measured\n\n\`graft eval product-scenarios\`: a source CNN developed as a job on Fashion-MNIST classes 0–4 (${fmt(s.sourceTrain, 0)} per class, ${fmt(s.sourceEpochs, 0)} epochs), registered as a backbone, then per cell ${fmt(s.seeds, 0)} samples of small (${fmt(s.small, 0)} per class) or large (${fmt(s.large, 0)} per class) × similar (Fashion-MNIST 5–9) or different (MNIST digits 5–9) imported on it and trained as jobs: \`auto\` (budget ${fmt(s.budgetSeconds, 0)} s) beside each explicit strategy (conv-training ones at most ${fmt(s.epochs, 0)} epochs).\n\n${lines.join('\n')}\n\n✓ best mean; a cell passes when \`auto\` is within one sd of it.\n`;
}
