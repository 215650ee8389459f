/**
 * The try-it page, the session cookie flow of links (`?token=`) and the palette's contrast.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_TTL_SECONDS, sessionStatus, sessionValue } from '../../../functions/api/src/auth.js';
import { createApp } from '../../../functions/api/src/index.js';
import { contrastRatio, mix, PALETTE, textOn } from '../../../functions/api/src/pages/palette.js';
import { escapeHtml, jsonForScript } from '../../../functions/api/src/report/escape.js';
import { auth, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

const app = createApp({
  models: new MemoryModelSource().add('digits', 1, { serve: true }),
  jobs: new MemoryJobs(),
  runner: new RecordingRunner(),
  token: TOKEN,
});
const html = { accept: 'text/html,application/xhtml+xml' };

function sessionCookie(res: Response): string {
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

describe('GET / (try-it page)', () => {
  it('is public, self-contained, labels every input and runs one nonce script', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<title>Graft: try a model</title>');
    for (const id of ['token', 'model', 'topk', 'image']) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain('alt="No image chosen yet"');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\/|@import|[^A-Za-z]url\(/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    expect(page.match(/<script[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
    // a new nonce per request
    const again = await app.request('/');
    expect(again.headers.get('content-security-policy')).not.toBe(res.headers.get('content-security-policy'));
  });
});

describe('OpenAPI', () => {
  it('documents the report, test-image, session and try-it routes', async () => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining([
        '/v1/models/{name}/report',
        '/v1/models/{name}/versions/{version}/report',
        '/v1/models/{name}/versions/{version}/test-images/{index}',
        '/v1/session',
        '/',
      ]),
    );
    expect((await app.request('/docs')).status).toBe(200);
  });
});

describe('links with ?token= and the session cookie', () => {
  it('a right token sets an HttpOnly SameSite=Strict cookie and redirects (303) without the token', async () => {
    const res = await app.request(`/v1/models/digits/report?x=1&token=${TOKEN}&y=2`, { headers: html });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('report?x=1&y=2');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^graft_session=\d+\.[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain(`Max-Age=${SESSION_TTL_SECONDS}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain http on 127.0.0.1
    expect(setCookie).not.toContain(TOKEN);
    expect(await sessionStatus(TOKEN, sessionCookie(res).split('=')[1]!, Date.now() / 1000)).toBe('valid');
    const https = await app.request(`https://graft.example/v1/models?token=${TOKEN}`);
    expect(https.headers.get('set-cookie')).toContain('Secure');
    expect(https.headers.get('location')).toBe('models');
    const root = await app.request(`/?token=${TOKEN}`);
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('./');
  });

  it('the cookie authenticates GETs but never a request that changes state', async () => {
    const cookie = sessionCookie(await app.request(`/v1/models?token=${TOKEN}`));
    const list = await app.request('/v1/models', { headers: { cookie } });
    expect(list.status).toBe(200);
    expect((await list.json()).models[0].name).toBe('digits');
    const promote = await app.request('/v1/models/digits/promote', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1 }),
    });
    expect(promote.status).toBe(401);
    const session = await app.request('/v1/session', { method: 'POST', headers: { cookie } });
    expect(session.status).toBe(401);
  });

  it('a wrong token or a forged cookie is a 401: JSON for clients, the sign-in page for browsers', async () => {
    const wrong = await app.request('/v1/models/digits/report?token=not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await wrong.json()).error.code).toBe('unauthorized');
    const forged = await app.request('/v1/models', {
      headers: {
        cookie: `graft_session=${await sessionValue('another-token', Math.floor(Date.now() / 1000) + 60)}`,
      },
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await forged.json()).error.message).toMatch(/not valid/);
    const page = await app.request('/v1/models/digits/report', { headers: html });
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await page.text();
    expect(body).toContain('<label for="token">API token</label>');
    expect(body).toContain('<form method="get">');
    const wrongPage = await app.request('/?token=nope-nope-nope', { headers: html });
    expect(wrongPage.status).toBe(401);
    expect(await wrongPage.text()).toContain('invalid token');
  });

  it('a session lasts 12 hours; an expired or re-dated cookie is refused', async () => {
    let clock = Date.parse('2026-11-27T12:00:00Z');
    const timed = createApp({
      models: new MemoryModelSource().add('digits', 1, { serve: true }),
      jobs: new MemoryJobs(),
      runner: new RecordingRunner(),
      token: TOKEN,
      now: () => clock,
    });
    const cookie = sessionCookie(await timed.request(`/v1/models?token=${TOKEN}`));
    const [, value] = cookie.split('=');
    expect(value!.split('.')[0]).toBe(String(clock / 1000 + SESSION_TTL_SECONDS));
    clock += (SESSION_TTL_SECONDS - 60) * 1000;
    expect((await timed.request('/v1/models', { headers: { cookie } })).status).toBe(200);
    clock += 61 * 1000;
    const expired = await timed.request('/v1/models', { headers: { cookie } });
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.message).toMatch(/expired/);
    // pushing the expiry forward without the token breaks the MAC
    const redated = `graft_session=${clock / 1000 + 3600}.${value!.split('.')[1]}`;
    const refused = await timed.request('/v1/models', { headers: { cookie: redated } });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toMatch(/not valid/);
  });

  it('POST /v1/session turns the bearer token into the cookie (the try-it page opens reports with it)', async () => {
    const res = await app.request('/v1/session', { method: 'POST', headers: auth });
    expect(res.status).toBe(204);
    expect(await sessionStatus(TOKEN, sessionCookie(res).split('=')[1]!, Date.now() / 1000)).toBe('valid');
    expect((await app.request('/v1/session', { method: 'POST' })).status).toBe(401);
  });
});

describe('escaping and palette', () => {
  it('escapes markup in text and in JSON for scripts', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
    const json = jsonForScript({ a: '</script><!--', b: '\u2028' });
    expect(json).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(json)).toEqual({ a: '</script><!--', b: '\u2028' });
  });

  it('every text colour has contrast ≥ 4.5:1 on the backgrounds it is used on', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    for (const text of [
      PALETTE.text,
      PALETTE.muted,
      PALETTE.link,
      PALETTE.train,
      PALETTE.val,
      PALETTE.accent,
      PALETTE.error,
    ]) {
      for (const bg of [PALETTE.background, PALETTE.surface])
        expect(contrastRatio(text, bg)).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrastRatio(PALETTE.background, PALETTE.link)).toBeGreaterThanOrEqual(4.5); // button text
    // confusion cells: every shade between white and the heat colour keeps its text readable
    for (let t = 0; t <= 1.0001; t += 0.01) {
      const fill = mix(PALETTE.background, PALETTE.heat, t);
      expect(contrastRatio(textOn(fill), fill)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
