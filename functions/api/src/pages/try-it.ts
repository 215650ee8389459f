/**
 * The try-it page (`GET /`): pick a model, pick or drop an image, see the top-k labels with bars — and, when the
 * image looks like none of the labels (the model's out-of-distribution score), says so plainly. Opened as
 * `/#token=<token>` it signs in without asking for the token.
 */
import { htmlPage } from './layout.js';
import { TRY_IT_SCRIPT } from './try-it-script.js';

/**
 * Renders the try-it page (static: the models are listed by its script through `GET /v1/models`).
 *
 * @example
 * ```ts
 * app.get('/', (c) => c.html(renderTryIt(c.get('secureHeadersNonce'))));
 * ```
 */
export function renderTryIt(nonce?: string): string {
  const body = [
    '<p id="status" role="status" class="muted">Loading…</p>',
    '<form id="token-form" hidden><p><label for="token">API token</label><br>',
    '<input id="token" type="password" autocomplete="current-password" required minlength="8" size="40"> ',
    '<button class="action" type="submit">Use this token</button></p></form>',
    '<div id="app" hidden>',
    '<p><label for="model">Model</label><br><select id="model"></select> <a id="report-link" href="#" hidden>training report</a></p>',
    '<p><label for="topk">Labels to show</label><br><input id="topk" type="number" min="1" max="20" value="5"></p>',
    '<div id="drop" class="drop"><p><label for="image">Image (JPEG, PNG or WebP)</label></p>',
    '<input id="image" type="file" accept="image/jpeg,image/png,image/webp"><p>… or drop an image here.</p></div>',
    '<img id="preview" class="preview" alt="No image chosen yet" hidden>',
    '<p id="verdict" class="verdict" role="alert" hidden></p>',
    '<h2>Top labels</h2><ol id="results" class="results" aria-label="Top labels"></ol>',
    '</div>',
  ].join('');
  return htmlPage({
    title: 'Graft: try a model',
    heading: 'Try a model',
    subtitle: 'Classify an image with the serving version of a model.',
    body,
    script: TRY_IT_SCRIPT,
    nonce,
  });
}
