/**
 * The product-path scenarios part of BENCHMARKS.md, from `graft eval product-scenarios --out`
 * (`test/bench/results/product-scenarios.json`): per cell, `auto` beside every explicit strategy.
 */
import { fmt, get, type Result } from './result-format.js';

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
  return `\n## The four scenarios through the product path, measured\n\n\`graft eval product-scenarios\`: a source CNN developed as a job on Fashion-MNIST classes 0–4 (${fmt(s.sourceTrain, 0)} per class, ${fmt(s.sourceEpochs, 0)} epochs), registered as a backbone, then per cell ${fmt(s.seeds, 0)} samples of small (${fmt(s.small, 0)} per class) or large (${fmt(s.large, 0)} per class) × similar (Fashion-MNIST 5–9) or different (MNIST digits 5–9) imported on it and trained as jobs: \`auto\` (budget ${fmt(s.budgetSeconds, 0)} s) beside each explicit strategy (conv-training ones at most ${fmt(s.epochs, 0)} epochs). Dropout masks are seeded per training run, so \`auto\`'s winning candidate is the model its explicit job trains.\n\n${lines.join('\n')}\n\n✓ best mean; a cell passes when \`auto\` is within one sd of it.\n`;
}
