/**
 * The HTML shell of every page the API renders: self-contained (inline CSS, no external fonts or scripts),
 * with the request's CSP nonce on its one inline script.
 */
import { escapeHtml } from '../report/escape.js';
import { PALETTE } from './palette.js';

const P = PALETTE;

/** Shared page style. */
const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:${P.text};background:${P.background}}
header.top{background:${P.surface};border-bottom:1px solid ${P.border};padding:12px 24px}
header.top h1{margin:0;font-size:22px}
header.top p{margin:2px 0 0;color:${P.muted}}
main{max-width:1120px;margin:0 auto;padding:8px 24px 48px}
section{margin:24px 0}
h2{font-size:18px;margin:0 0 8px;border-bottom:1px solid ${P.border};padding-bottom:4px}
h3{font-size:15px;margin:12px 0 6px}
a{color:${P.link}}
.muted{color:${P.muted}}
.missing{color:${P.muted};font-style:italic}
.error{color:${P.error}}
table{border-collapse:collapse;margin:6px 0}
th,td{border:1px solid ${P.border};padding:4px 10px;text-align:right}
th{background:${P.surface};font-weight:600}
th:first-child,td.text{text-align:left}
caption{text-align:left;color:${P.muted};padding:4px 0;caption-side:top}
.grid{display:flex;flex-wrap:wrap;gap:16px}
.grid>*{flex:1 1 320px;min-width:0}
svg.chart{width:100%;height:auto;max-width:560px;background:${P.background}}
svg.chart.reliability{max-width:340px}
svg .chart-title{font-weight:600;font-size:14px;fill:${P.text}}
svg .tick,svg .legend,svg .axis{font-size:12px;fill:${P.muted}}
svg .legend{fill:${P.text}}
svg .marker{font-size:12px;fill:${P.accent}}
table.confusion td{padding:0}
table.confusion td.cell{padding:6px 12px}
table.confusion button.cell{display:block;width:100%;min-width:48px;padding:6px 12px;border:0;font:inherit;text-align:right;cursor:pointer}
table.confusion button.cell:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid ${P.accent};outline-offset:1px}
table.confusion button.diag{font-weight:700}
table.confusion button[aria-pressed=true]{outline:3px solid ${P.accent};outline-offset:-3px}
button.action{background:${P.link};color:${P.background};border:0;border-radius:4px;padding:6px 14px;font:inherit;cursor:pointer}
.gallery{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:8px 0}
.gallery li{width:108px;font-size:11px;color:${P.muted};overflow-wrap:anywhere}
.gallery img{width:96px;height:96px;object-fit:contain;image-rendering:pixelated;border:1px solid ${P.border};background:${P.surface}}
.gallery img.smooth{image-rendering:auto}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:6px 0}
dl.facts dt{color:${P.muted}}
dl.facts dd{margin:0}
.bar{height:14px;background:${P.train};border-radius:2px}
label{font-weight:600}
input,select{font:inherit;padding:4px 6px;border:1px solid ${P.muted};border-radius:4px;color:${P.text};background:${P.background}}
.drop{border:2px dashed ${P.muted};border-radius:8px;padding:24px;text-align:center;color:${P.muted}}
.drop.over{border-color:${P.link};color:${P.text}}
ol.results{padding:0;list-style:none;max-width:640px}
ol.results li{display:grid;grid-template-columns:minmax(80px,200px) 1fr 72px;gap:10px;align-items:center;margin:4px 0}
ol.results .track{background:${P.surface};border:1px solid ${P.border};height:16px}
ol.results .score{text-align:right;font-variant-numeric:tabular-nums}
.verdict{border-left:4px solid ${P.error};padding:8px 12px;background:${P.surface};max-width:640px;font-weight:600}
img.preview{width:160px;height:160px;object-fit:contain;image-rendering:pixelated;border:1px solid ${P.border};margin:8px 0}
`;

/**
 * Wraps page content in the shared HTML shell.
 *
 * @example
 * ```ts
 * return c.html(htmlPage({ title: 'Graft', heading: 'Try a model', body, script, nonce }));
 * ```
 */
export function htmlPage(o: {
  title: string;
  heading: string;
  subtitle?: string;
  body: string;
  /** Inline script (runs with the CSP nonce). */
  script?: string;
  nonce?: string;
}): string {
  const script = o.script ? `<script nonce="${escapeHtml(o.nonce ?? '')}">${o.script}</script>` : '';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(o.title)}</title><style>${CSS}</style></head><body>`,
    `<header class="top"><h1>${escapeHtml(o.heading)}</h1>${o.subtitle ? `<p>${escapeHtml(o.subtitle)}</p>` : ''}</header>`,
    `<main>${o.body}</main>${script}</body></html>`,
  ].join('');
}
