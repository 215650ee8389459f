/**
 * Two score distributions as overlaid histograms (inline SVG) with a threshold line: the report's view of how a
 * model's out-of-distribution score separates its validation images from reference outliers.
 */
import { PALETTE } from '../../pages/palette.js';
import { escapeHtml, formatNumber } from '../escape.js';
import { linear, tickLabel, ticks } from './scale.js';

const W = 560;
const H = 260;
const M = { top: 34, right: 14, bottom: 44, left: 50 };
const BINS = 30;

/**
 * Renders the histograms of `inside` and `outside` scores (shares per bin) and the threshold.
 *
 * @example
 * ```ts
 * scoreHistogram({ id: 'ood-chart', title: 'Mahalanobis score', inside: [1, 2], outside: [9], threshold: 4 });
 * ```
 */
export function scoreHistogram(o: {
  id: string;
  title: string;
  inside: number[];
  outside: number[];
  threshold: number;
  insideName?: string;
  outsideName?: string;
}): string {
  const all = [...o.inside, ...o.outside, o.threshold];
  // A long tail of outliers would squash the validation scores: clip the axis at 4× the threshold's span.
  const low = Math.min(...all);
  const high = Math.min(Math.max(...all), o.threshold + 3 * Math.max(o.threshold - low, 1e-9));
  const span = high - low || 1;
  const bin = (v: number) => Math.min(BINS - 1, Math.max(0, Math.floor(((v - low) / span) * BINS)));
  const shares = (xs: number[]) => {
    const counts = new Array<number>(BINS).fill(0);
    for (const v of xs) counts[bin(v)]!++;
    return counts.map((c) => c / Math.max(1, xs.length));
  };
  const a = shares(o.inside);
  const b = shares(o.outside);
  const top = Math.max(0.05, ...a, ...b);
  const x = linear([low, low + span], [M.left, W - M.right]);
  const y = linear([0, top], [H - M.bottom, M.top]);
  const id = escapeHtml(o.id);
  const insideName = o.insideName ?? 'validation images';
  const outsideName = o.outsideName ?? 'reference outliers';
  const desc = `${o.inside.length} ${insideName}, ${o.outside.length} ${outsideName}; threshold ${formatNumber(o.threshold)}; ${share(o.inside, o.threshold)} of the ${insideName} and ${share(o.outside, o.threshold)} of the ${outsideName} are at or below it (accepted)`;
  const parts = [
    `<svg class="chart histogram" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d">`,
    `<title id="${id}-t">${escapeHtml(o.title)}</title>`,
    `<desc id="${id}-d">${escapeHtml(desc)}</desc>`,
    `<text x="${M.left}" y="16" class="chart-title">${escapeHtml(o.title)}</text>`,
    `<text x="${M.left}" y="30" class="tick"><tspan fill="${PALETTE.train}">■ ${escapeHtml(insideName)}</tspan> <tspan fill="${PALETTE.val}">■ ${escapeHtml(outsideName)}</tspan></text>`,
  ];
  for (const t of ticks(0, top, 4))
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="${PALETTE.grid}"/>`,
      `<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${tickLabel(t)}</text>`,
    );
  for (const t of ticks(low, low + span, 6))
    parts.push(
      `<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${tickLabel(t)}</text>`,
    );
  const width = (W - M.left - M.right) / BINS;
  const bars = (values: number[], color: string, cls: string) =>
    values.forEach((v, i) => {
      if (v > 0)
        parts.push(
          `<rect class="${cls}" x="${(M.left + i * width).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, width - 1).toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="${color}" fill-opacity="0.55"/>`,
        );
    });
  bars(a, PALETTE.train, 'inside');
  bars(b, PALETTE.val, 'outside');
  const tx = x(o.threshold).toFixed(1);
  parts.push(
    `<line class="threshold" x1="${tx}" x2="${tx}" y1="${M.top}" y2="${H - M.bottom}" stroke="${PALETTE.ink}" stroke-width="2" stroke-dasharray="5 3"/>`,
    `<text x="${tx}" y="${M.top - 4}" text-anchor="middle" class="tick">threshold</text>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="${PALETTE.muted}"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" class="axis">score (higher = less like the training images)</text>`,
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis">share of images</text>`,
    '</svg>',
  );
  return parts.join('');
}

function share(xs: number[], threshold: number): string {
  return `${Math.round((100 * xs.filter((v) => v <= threshold).length) / Math.max(1, xs.length))} %`;
}
