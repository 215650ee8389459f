/**
 * The try-it page's script: asks for the token once (sessionStorage), lists the models, sends the chosen or
 * dropped image to `POST /v1/models/{name}/predict` and draws the top-k labels as bars. User data is written
 * with `textContent` only.
 */

/**
 * Source of the inline script.
 *
 * @example
 * ```ts
 * htmlPage({ ..., script: TRY_IT_SCRIPT, nonce });
 * ```
 */
export const TRY_IT_SCRIPT = `(() => {
  const KEY = 'graft-api-token';
  const $ = (id) => document.getElementById(id);
  const tokenForm = $('token-form'), tokenInput = $('token'), app = $('app'), status = $('status');
  const select = $('model'), file = $('image'), drop = $('drop'), preview = $('preview');
  const results = $('results'), topK = $('topk'), reportLink = $('report-link'), verdict = $('verdict');
  let current;
  const say = (text, isError) => { status.textContent = text; status.className = isError ? 'error' : 'muted'; };
  const askToken = (message) => {
    tokenForm.hidden = false;
    app.hidden = true;
    say(message || 'Enter the API token once; it is kept for this browser tab only.');
    tokenInput.focus();
  };
  const api = async (path, init = {}) => {
    const headers = new Headers(init.headers || {});
    const token = sessionStorage.getItem(KEY);
    if (token) headers.set('authorization', 'Bearer ' + token);
    const res = await fetch(path, { ...init, headers });
    if (res.status === 401) {
      sessionStorage.removeItem(KEY);
      askToken('The token was refused; enter it again.');
      throw new Error('unauthorized');
    }
    return res;
  };
  const updateLink = () => {
    reportLink.hidden = !select.value;
    reportLink.href = 'v1/models/' + encodeURIComponent(select.value) + '/report';
  };
  const start = async () => {
    try {
      const res = await api('v1/models');
      const { models } = await res.json();
      await api('v1/session', { method: 'POST' });
      tokenForm.hidden = true;
      app.hidden = false;
      select.replaceChildren(...models.map((m) => {
        const option = document.createElement('option');
        option.value = m.name;
        option.disabled = !m.servingVersion;
        option.textContent = m.name + (m.servingVersion ? ' (version ' + m.servingVersion + ')' : ' (no serving version)');
        return option;
      }));
      const first = models.find((m) => m.servingVersion);
      if (first) select.value = first.name;
      updateLink();
      say(models.length ? 'Choose or drop an image.' : 'There is no model yet: train one first.');
    } catch (err) {
      if (err.message !== 'unauthorized') say('Could not list the models: ' + err.message, true);
    }
  };
  const classify = async (image) => {
    if (!image) return;
    current = image;
    if (!select.value) { say('Choose a model first.', true); return; }
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(image);
    preview.alt = 'The image to classify: ' + image.name;
    preview.hidden = false;
    results.replaceChildren();
    say('Classifying ' + image.name + '…');
    try {
      const k = Math.min(20, Math.max(1, Number(topK.value) || 5));
      const res = await api('v1/models/' + encodeURIComponent(select.value) + '/predict?topK=' + k, {
        method: 'POST',
        headers: { 'content-type': image.type || 'application/octet-stream' },
        body: image,
      });
      const body = await res.json();
      if (!res.ok) { say((body.error && body.error.message) || 'HTTP ' + res.status, true); return; }
      const ms = ' — ' + Math.round(body.timings.decodeMs + body.timings.inferMs) + ' ms';
      verdict.hidden = !body.unknown;
      if (body.unknown && body.ood) {
        verdict.textContent = 'None of the labels: this image does not look like the images ' + select.value +
          ' was trained on (out-of-distribution score ' + body.ood.score.toPrecision(4) + ' above the threshold ' +
          body.ood.threshold.toPrecision(4) + '). The closest labels are listed below, but none of them is likely right.';
      } else if (body.unknown) {
        verdict.textContent = 'Not sure: the top score is below the threshold.';
      }
      say(body.model + ' version ' + body.version + (body.unknown ? ': none of the labels' : '') + ms);
      results.replaceChildren(...body.predictions.map((p) => {
        const item = document.createElement('li');
        const label = document.createElement('span');
        label.className = 'label';
        label.textContent = p.label;
        const track = document.createElement('div');
        track.className = 'track';
        const bar = document.createElement('div');
        bar.className = 'bar';
        bar.style.width = (p.score * 100).toFixed(1) + '%';
        track.append(bar);
        const score = document.createElement('span');
        score.className = 'score';
        score.textContent = (p.score * 100).toFixed(1) + ' %';
        item.append(label, track, score);
        return item;
      }));
    } catch (err) {
      if (err.message !== 'unauthorized') say('The prediction failed: ' + err.message, true);
    }
  };
  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, tokenInput.value);
    tokenInput.value = '';
    start();
  });
  file.addEventListener('change', () => classify(file.files[0]));
  select.addEventListener('change', () => { updateLink(); if (current) classify(current); });
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    classify(event.dataTransfer.files[0]);
  });
  // A link with the token in its fragment ('/#token=…', as 'graft demo' prints) signs in without pasting it; the
  // fragment never reaches the server, and it is removed from the address bar at once.
  const linked = new URLSearchParams(location.hash.slice(1)).get('token');
  if (linked) {
    sessionStorage.setItem(KEY, linked);
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (sessionStorage.getItem(KEY)) start(); else askToken();
})();`;
