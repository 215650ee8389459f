/**
 * Reliability diagram as inline SVG: per confidence bin, the accuracy of the test images in it against the
 * diagonal of perfect calibration.
 */
import { PALETTE } from '../../pages/palette.js';
import { escapeHtml, formatNumber } from '../escape.js';
import type { Bin } from '../report-data.js';
import { linear, tickLabel, ticks } from './scale.js';

const W = 320;
const H = 300;
const M = { top: 34, right: 14, bottom: 44, left: 50 };

/**
 * Renders one reliability diagram; the title carries the expected calibration error.
 *
 * @example
 * ```ts
 * reliabilityDiagram({ id: 'rel-after', title: 'After temperature scaling', bins, ece: 0.031, color: PALETTE.accent });
 * ```
 */
export function reliabilityDiagram(o: {
  id: string;
  title: string;
  bins: Bin[];
  ece?: number;
  color: string;
}): string {
  const x = linear([0, 1], [M.left, W - M.right]);
  const y = linear([0, 1], [H - M.bottom, M.top]);
  const id = escapeHtml(o.id);
  const used = o.bins.filter((b) => b.count > 0);
  const desc = used
    .map(
      (b) =>
        `${tickLabel(b.lower)}–${tickLabel(b.upper)}: ${b.count} images, accuracy ${formatNumber(b.accuracy, 2)}, confidence ${formatNumber(b.confidence, 2)}`,
    )
    .join('; ');
  const parts = [
    `<svg class="chart reliability" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d">`,
    `<title id="${id}-t">${escapeHtml(o.title)}, ECE ${formatNumber(o.ece)}</title>`,
    `<desc id="${id}-d">${escapeHtml(desc || 'no test images')}</desc>`,
    `<text x="${M.left}" y="16" class="chart-title">${escapeHtml(o.title)}</text>`,
    `<text x="${M.left}" y="30" class="tick">ECE ${formatNumber(o.ece)}</text>`,
  ];
  for (const t of ticks(0, 1, 5)) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="${PALETTE.grid}"/>`,
      `<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${tickLabel(t)}</text>`,
      `<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${tickLabel(t)}</text>`,
    );
  }
  for (const b of used) {
    const x0 = x(b.lower) + 1;
    const w = Math.max(1, x(b.upper) - x(b.lower) - 2);
    parts.push(
      `<rect class="bin" x="${x0.toFixed(1)}" y="${y(b.accuracy).toFixed(1)}" width="${w.toFixed(1)}" height="${(y(0) - y(b.accuracy)).toFixed(1)}" fill="${o.color}" fill-opacity="0.8"><title>${b.count} images, accuracy ${formatNumber(b.accuracy, 2)}, mean confidence ${formatNumber(b.confidence, 2)}</title></rect>`,
      `<line x1="${x0.toFixed(1)}" x2="${(x0 + w).toFixed(1)}" y1="${y(b.confidence).toFixed(1)}" y2="${y(b.confidence).toFixed(1)}" stroke="${PALETTE.val}" stroke-width="2"/>`,
    );
  }
  parts.push(
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="${PALETTE.muted}" stroke-dasharray="4 3"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="${PALETTE.muted}"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="${PALETTE.muted}"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" class="axis">confidence (top score)</text>`,
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis">accuracy</text>`,
    '</svg>',
  );
  return parts.join('');
}
