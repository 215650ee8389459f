/**
 * Escaping for everything that goes into the HTML and SVG the API renders: labels, keys and explanations are
 * user data and must never become markup or script.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML/SVG element content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<script>"x"</script>'); // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Serialises data for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators are
 * written as `\uXXXX` escapes, so no value can close the block or open a comment.
 *
 * @example
 * ```ts
 * jsonForScript({ label: '</script><script>alert(1)</script>' }); // '{"label":"\\u003c/script\\u003e…"}'
 * ```
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Formats a number for display, or `fallback` when it is missing or not finite.
 *
 * @example
 * ```ts
 * formatNumber(0.91234, 3); // '0.912'
 * formatNumber(undefined); // 'not recorded'
 * ```
 */
export function formatNumber(value: unknown, digits = 3, fallback = 'not recorded'): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : fallback;
}

/**
 * Formats a fraction as a percentage, or `fallback` when it is missing.
 *
 * @example
 * ```ts
 * formatPercent(0.9871); // '98.7 %'
 * ```
 */
export function formatPercent(value: unknown, digits = 1, fallback = 'not recorded'): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? `${(value * 100).toFixed(digits)} %`
    : fallback;
}
