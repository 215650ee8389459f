/**
 * The colours of the HTML pages and charts. Every text colour has a contrast of at least 4.5:1 on the
 * backgrounds it is used on (WCAG AA); the browser tests check the rendered pages against it.
 */

/**
 * The palette.
 *
 * @example
 * ```ts
 * `<line stroke="${PALETTE.train}"/>`;
 * ```
 */
export const PALETTE = {
  /** Page background. */
  background: '#ffffff',
  /** Panels, table headers. */
  surface: '#f3f5f8',
  text: '#1b1f24',
  /** Text on mid-tone fills (confusion cells): only black or white reach 4.5:1 on every shade. */
  ink: '#000000',
  muted: '#4a5562',
  border: '#c9d1db',
  grid: '#e3e7ed',
  link: '#0a58a8',
  /** Training curves, bars. */
  train: '#0a58a8',
  /** Validation curves. */
  val: '#a3360f',
  /** Best-epoch marker, calibrated bars. */
  accent: '#2f6b1f',
  /** Confusion cells: white → `heat` by count; text switches to `background` on dark cells. */
  heat: '#0b3d75',
  error: '#a1121b',
} as const;

/**
 * Mixes two `#rrggbb` colours: `t = 0` gives `a`, `t = 1` gives `b`.
 *
 * @example
 * ```ts
 * mix('#ffffff', '#000000', 0.5); // '#808080'
 * ```
 */
export function mix(a: string, b: string, t: number): string {
  const ca = rgb(a);
  const cb = rgb(b);
  const u = Math.min(1, Math.max(0, t));
  return `#${ca
    .map((x, i) =>
      Math.round(x + ((cb[i] ?? 0) - x) * u)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/**
 * WCAG relative luminance of a `#rrggbb` colour.
 *
 * @example
 * ```ts
 * luminance('#ffffff'); // 1
 * ```
 */
export function luminance(color: string): number {
  const [r, g, b] = rgb(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/**
 * WCAG contrast ratio of two `#rrggbb` colours (1 to 21).
 *
 * @example
 * ```ts
 * contrastRatio('#000000', '#ffffff'); // 21
 * ```
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/**
 * The readable text colour (`ink` or `background`) on a given fill; at least 4.58:1 on any fill.
 *
 * @example
 * ```ts
 * textOn(PALETTE.heat); // '#ffffff'
 * ```
 */
export function textOn(fill: string): string {
  return contrastRatio(PALETTE.ink, fill) >= contrastRatio(PALETTE.background, fill)
    ? PALETTE.ink
    : PALETTE.background;
}

function rgb(color: string): number[] {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) throw new TypeError(`not a #rrggbb colour: ${color}`);
  const hex = m[1] ?? '000000';
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
}
