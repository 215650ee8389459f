/**
 * The confusion matrix as an HTML table whose cells are buttons (keyboard and screen-reader friendly); the
 * page script shows a cell's test images when its button is pressed.
 */
import { mix, PALETTE, textOn } from '../../pages/palette.js';
import { escapeHtml } from '../escape.js';

/**
 * Renders `confusion[true][predicted]`. With `clickable`, each cell is a `<button data-true data-pred>`.
 *
 * @example
 * ```ts
 * confusionTable([[5, 1], [0, 6]], ['cat', 'dog'], true);
 * ```
 */
export function confusionTable(confusion: number[][], labels: string[], clickable: boolean): string {
  const max = Math.max(1, ...confusion.flat());
  const name = (i: number) => escapeHtml(labels[i] ?? `class ${i}`);
  const head = confusion.map((_, p) => `<th scope="col">${name(p)}</th>`).join('');
  const rows = confusion.map((row, t) => {
    const cells = row.map((count, p) => {
      const fill = mix(PALETTE.background, PALETTE.heat, count / max);
      const style = `background:${fill};color:${textOn(fill)}`;
      const what = `${count} test image${count === 1 ? '' : 's'} of ${name(t)} predicted as ${name(p)}`;
      const cls = t === p ? 'cell diag' : 'cell';
      return clickable
        ? `<td><button type="button" class="${cls}" style="${style}" data-true="${t}" data-pred="${p}" data-count="${count}" aria-label="${what}">${count}</button></td>`
        : `<td class="${cls}" style="${style}" title="${what}">${count}</td>`;
    });
    return `<tr><th scope="row">${name(t)}</th>${cells.join('')}</tr>`;
  });
  return [
    '<table class="confusion">',
    '<caption>Confusion matrix on the test split: rows are the true labels, columns the predicted labels.</caption>',
    `<thead><tr><th scope="col"><span class="visually-hidden">true label</span>true / predicted</th>${head}</tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
  ].join('');
}
