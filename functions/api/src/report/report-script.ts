/**
 * The report page's only script: pressing a confusion-matrix cell lists that cell's test images. It reads
 * its data from a `<script type="application/json">` block and writes user data with `textContent` and
 * attributes only (never `innerHTML`).
 */

/**
 * Source of the inline script.
 *
 * @example
 * ```ts
 * htmlPage({ ..., script: REPORT_SCRIPT, nonce });
 * ```
 */
export const REPORT_SCRIPT = `(() => {
  const source = document.getElementById('report-data');
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const title = document.getElementById('cell-title');
  const list = document.getElementById('cell-images');
  const show = (button) => {
    const t = Number(button.dataset.true), p = Number(button.dataset.pred);
    const indexes = (data.cells[t] || [])[p] || [];
    for (const other of document.querySelectorAll('button[data-true][aria-pressed]')) other.setAttribute('aria-pressed', 'false');
    button.setAttribute('aria-pressed', 'true');
    title.className = '';
    title.textContent = indexes.length + ' test image' + (indexes.length === 1 ? '' : 's') + ' of ' + data.labels[t] + ' predicted as ' + data.labels[p];
    list.replaceChildren(...indexes.map((i) => {
      const key = data.keys[i];
      const item = document.createElement('li');
      item.dataset.index = String(i);
      item.dataset.key = key;
      const img = document.createElement('img');
      img.loading = 'lazy';
      img.width = 96;
      img.height = 96;
      // Sharp pixels for small images (28 px digits); smooth scaling for photo previews.
      img.addEventListener('load', () => {
        if (img.naturalWidth > 96 || img.naturalHeight > 96) img.classList.add('smooth');
      });
      img.src = data.imageBase + i;
      img.alt = 'test image ' + (i + 1) + ' (' + key.split('/').pop() + '), true ' + data.labels[t] + ', predicted ' + data.labels[p];
      const caption = document.createElement('span');
      caption.textContent = key.split('/').pop();
      item.append(img, document.createElement('br'), caption);
      return item;
    }));
  };
  for (const button of document.querySelectorAll('button[data-true]')) {
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => show(button));
  }
})();`;
