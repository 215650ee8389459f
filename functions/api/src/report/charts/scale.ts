/**
 * Linear scales and "nice" tick values for the server-side SVG charts.
 */

/**
 * Maps a domain onto a pixel range.
 *
 * @example
 * ```ts
 * const x = linear([0, 10], [40, 440]);
 * x(5); // 240
 * ```
 */
export function linear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/**
 * About `count` round tick values covering `[min, max]` (steps of 1, 2 or 5 × 10^n).
 *
 * @example
 * ```ts
 * ticks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toFixed(10)));
  return out;
}

/**
 * Formats a tick value compactly.
 *
 * @example
 * ```ts
 * tickLabel(0.30000000000000004); // '0.3'
 * ```
 */
export function tickLabel(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
