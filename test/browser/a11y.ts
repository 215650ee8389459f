/**
 * Basic accessibility checks run inside the page: alt texts, labelled inputs, named buttons and the WCAG
 * contrast of every piece of visible text against its effective background.
 */
import type { Page } from 'playwright-core';

/**
 * The problems found on the page (empty when none).
 *
 * @example
 * ```ts
 * expect(await accessibilityProblems(page)).toEqual([]);
 * ```
 */
export function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => {
      const box = (el as HTMLElement).getBoundingClientRect?.();
      return !!box && box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    for (const img of Array.from(document.querySelectorAll('img'))) {
      if (!img.getAttribute('alt')?.trim()) problems.push(`img without alt: ${img.outerHTML.slice(0, 80)}`);
    }
    for (const input of Array.from(document.querySelectorAll('input, select, textarea'))) {
      const el = input as HTMLInputElement;
      if ((el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label'))
        problems.push(`input without label: ${el.outerHTML.slice(0, 80)}`);
    }
    for (const button of Array.from(document.querySelectorAll('button'))) {
      if (!(button.getAttribute('aria-label') || button.textContent || '').trim())
        problems.push(`button without a name: ${button.outerHTML.slice(0, 80)}`);
    }
    const rgb = (s: string) => {
      const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(s);
      return m
        ? { c: [Number(m[1]), Number(m[2]), Number(m[3])], a: m[4] === undefined ? 1 : Number(m[4]) }
        : undefined;
    };
    const lum = (c: number[]) => {
      const [r, g, b] = c.map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const bg = rgb(getComputedStyle(e).backgroundColor);
        if (bg && bg.a > 0.99) return bg.c;
      }
      return [255, 255, 255];
    };
    let checked = 0;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const ownText = Array.from(el.childNodes).some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim(),
      );
      if (!ownText || !visible(el) || ['SCRIPT', 'STYLE', 'TITLE', 'DESC'].includes(el.tagName.toUpperCase()))
        continue;
      const style = getComputedStyle(el);
      const isSvg = el instanceof SVGElement;
      const fg = rgb(isSvg ? style.fill : style.color);
      if (!fg) {
        problems.push(`unreadable colour on ${el.tagName}: ${isSvg ? style.fill : style.color}`);
        continue;
      }
      const bg = background(isSvg ? el.closest('svg') : el);
      const r = ratio(fg.c, bg);
      checked++;
      if (r < 4.5)
        problems.push(
          `contrast ${r.toFixed(2)} < 4.5 for "${el.textContent?.trim().slice(0, 30)}" (${el.tagName})`,
        );
    }
    if (checked < 5) problems.push(`only ${checked} text elements checked`);
    return problems;
  });
}
