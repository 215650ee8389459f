/**
 * Per-epoch line charts as inline SVG (axes, grid, legend, a marked epoch).
 */
import { PALETTE } from '../../pages/palette.js';
import { escapeHtml } from '../escape.js';
import { linear, tickLabel, ticks } from './scale.js';

/**
 * One line: a value per epoch (`undefined` leaves a gap).
 *
 * @example
 * ```ts
 * const s: LineSeries = { name: 'train', values: [0.9, 0.5, 0.3], color: PALETTE.train };
 * ```
 */
export interface LineSeries {
  name: string;
  values: (number | undefined)[];
  color: string;
  dashed?: boolean;
}

/**
 * What {@link lineChart} draws.
 *
 * @example
 * ```ts
 * const o: LineChartOptions = { id: 'loss', title: 'Loss', yLabel: 'loss', series, markEpoch: 2 };
 * ```
 */
export interface LineChartOptions {
  /** Unique within the page (used for the SVG title/description ids). */
  id: string;
  title: string;
  yLabel: string;
  series: LineSeries[];
  /** 0-based epoch to mark (the best epoch). */
  markEpoch?: number;
  /** Fixed y range (default: from 0 or the data minimum to the data maximum). */
  yDomain?: [number, number];
}

const W = 520;
const H = 280;
const M = { top: 46, right: 16, bottom: 44, left: 56 };

/**
 * Renders a line chart of per-epoch values; the x axis counts epochs from 1.
 *
 * @example
 * ```ts
 * const svg = lineChart({ id: 'acc', title: 'Accuracy', yLabel: 'accuracy', yDomain: [0, 1],
 *   series: [{ name: 'train', values: [0.5, 0.8], color: PALETTE.train }] });
 * ```
 */
export function lineChart(o: LineChartOptions): string {
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const all = o.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  const lo = Math.min(0, ...all);
  const [y0, y1] = o.yDomain ?? [lo, all.length ? Math.max(...all, lo + 1e-6) : 1];
  const x = linear([1, Math.max(2, n)], [M.left, W - M.right]);
  const y = linear([y0, y1], [H - M.bottom, M.top]);
  const id = escapeHtml(o.id);
  const parts: string[] = [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t ${id}-d">`,
    `<title id="${id}-t">${escapeHtml(o.title)}</title>`,
    `<desc id="${id}-d">${escapeHtml(describe(o))}</desc>`,
    `<text x="${M.left}" y="18" class="chart-title">${escapeHtml(o.title)}</text>`,
  ];
  for (const t of ticks(y0, y1, 5)) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="${PALETTE.grid}"/>`,
      `<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end" class="tick">${tickLabel(t)}</text>`,
    );
  }
  for (const t of ticks(1, Math.max(2, n), Math.min(10, n)).filter(Number.isInteger)) {
    parts.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle" class="tick">${t}</text>`);
  }
  parts.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="${PALETTE.muted}"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="${PALETTE.muted}"/>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle" class="axis">epoch</text>`,
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis">${escapeHtml(o.yLabel)}</text>`,
  );
  if (o.markEpoch !== undefined && o.markEpoch >= 0 && o.markEpoch < n) {
    const mx = x(o.markEpoch + 1);
    parts.push(
      `<line class="best-epoch" x1="${mx}" x2="${mx}" y1="${M.top}" y2="${H - M.bottom}" stroke="${PALETTE.accent}" stroke-dasharray="2 3"/>`,
      mx > (M.left + W - M.right) / 2
        ? `<text x="${mx - 4}" y="${M.top + 12}" text-anchor="end" class="marker">best epoch ${o.markEpoch + 1}</text>`
        : `<text x="${mx + 4}" y="${M.top + 12}" class="marker">best epoch ${o.markEpoch + 1}</text>`,
    );
  }
  for (const s of o.series) parts.push(seriesPath(s, x, y));
  parts.push(legend(o.series));
  parts.push('</svg>');
  return parts.join('');
}

function seriesPath(s: LineSeries, x: (v: number) => number, y: (v: number) => number): string {
  let d = '';
  let pen = false;
  const dots: string[] = [];
  s.values.forEach((v, i) => {
    if (v === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i + 1).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
    dots.push(`<circle cx="${x(i + 1).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
  });
  const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
  return `<g class="series" data-series="${escapeHtml(s.name)}"><path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>${dots.join('')}</g>`;
}

function legend(series: LineSeries[]): string {
  const items = series.map((s, i) => {
    const lx = M.left + 130 * i;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    return `<line x1="${lx}" x2="${lx + 22}" y1="30" y2="30" stroke="${s.color}" stroke-width="2"${dash}/><text x="${lx + 28}" y="34" class="legend">${escapeHtml(s.name)}</text>`;
  });
  return `<g class="legend-box">${items.join('')}</g>`;
}

function describe(o: LineChartOptions): string {
  const lines = o.series.map((s) => {
    const last = [...s.values].reverse().find((v) => v !== undefined);
    return `${s.name}: ${s.values.filter((v) => v !== undefined).length} epochs, last ${last === undefined ? 'n/a' : tickLabel(last)}`;
  });
  const mark = o.markEpoch !== undefined ? `; best epoch ${o.markEpoch + 1}` : '';
  return `${lines.join('; ')}${mark}`;
}
