/**
 * The report and try-it pages in a real Chromium, against the real app on a real socket (127.0.0.1) over a
 * real trained model. Screenshots go to test/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { tf } from '@graft/runtime';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, RegistryModelSource, StoreJobs } from '../../functions/api/src/index.js';
import { type RunningServer, startServer } from '../../functions/api/src/server.js';
import { RecordingRunner, TOKEN } from '../functions/api/fakes.js';
import { EVIL_LABEL, type ReportFixture, startReportFixture } from '../functions/api/report-fixture.js';
import { fixture } from '../imaging/fixtures.js';
import { accessibilityProblems } from './a11y.js';
import { findChromium, launchChromium } from './chromium.js';

const ARTIFACTS = path.join(import.meta.dirname, '../artifacts');
const chromiumPath = findChromium().path;

let fx: ReportFixture;
let server: RunningServer;
let browser: Browser;
let labels: string[];
let v1: { testKeys: string[]; testPredictions: number[]; test: { confusion: number[][] } };

/** Opens a page that records script errors, CSP violations and dialogs (an executed label would alert). */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return { page, errors };
}

describe.skipIf(!chromiumPath)('report and try-it pages in Chromium', () => {
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    fx = await startReportFixture();
    const graft = JSON.parse(new TextDecoder().decode(await fx.registry.readFile('digits', 1, 'graft.json')));
    labels = graft.labels;
    v1 = JSON.parse(new TextDecoder().decode(await fx.registry.readFile('digits', 1, 'report.json')));
    const app = createApp({
      models: new RegistryModelSource(fx.store),
      jobs: new StoreJobs(fx.store),
      runner: new RecordingRunner(),
      store: fx.store,
      token: TOKEN,
    });
    server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
    browser = await launchChromium(chromiumPath!);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await fx?.close();
  });

  it('a link with ?token= opens the report: cookie set, token gone from the URL, charts and tables render', async () => {
    const { page, errors } = await openPage();
    const res = await page.goto(`${server.url}/v1/models/digits/report?token=${TOKEN}`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${server.url}/v1/models/digits/report`);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'graft_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    expect(await page.title()).toBe('Training report: digits v2');
    expect(await page.locator('svg.chart').count()).toBe(5);
    expect(await page.locator('svg .best-epoch').count()).toBe(2);
    // the out-of-distribution section: validation scores against the reference outliers, the test images nearest
    // the threshold (loaded through the API)
    expect(await page.locator('#ood svg.histogram rect.inside').count()).toBeGreaterThan(0);
    expect(await page.locator('#ood svg.histogram rect.outside').count()).toBeGreaterThan(0);
    expect(await page.locator('#ood table.separation tbody tr').count()).toBe(4);
    const nearest = page.locator('#ood ul.ood-nearest img');
    expect(await nearest.count()).toBeGreaterThan(0);
    await expect
      .poll(() => nearest.evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).naturalWidth > 0)))
      .toBe(true);
    expect(await page.locator('table.per-class tbody tr').count()).toBe(3);
    expect(await page.locator('table.per-class tbody th').allTextContents()).toEqual(labels);
    expect(await page.locator('table.versions tbody tr').count()).toBe(2);
    expect(await page.locator('table.confusion button').count()).toBe(9);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-v2.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('pressing a confusion-matrix cell shows exactly that cell’s test images, loaded through the API', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/v1/models/digits/versions/1/report?token=${TOKEN}`);
    expect(await page.title()).toBe('Training report: digits v1');
    let shown = 0;
    for (let t = 0; t < labels.length; t++) {
      for (let p = 0; p < labels.length; p++) {
        const expected = v1.testKeys.filter(
          (key, i) => key.split('/')[3] === labels[t] && v1.testPredictions[i] === p,
        );
        const cell = page.locator(`button[data-true="${t}"][data-pred="${p}"]`);
        expect(Number(await cell.textContent())).toBe(v1.test.confusion[t]![p]);
        await cell.click();
        expect(await cell.getAttribute('aria-pressed')).toBe('true');
        const items = page.locator('#cell-images li');
        await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(v1.test.confusion[t]![p]);
        expect(await items.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.key))).toEqual(
          expected,
        );
        // every thumbnail really loaded (authenticated by the session cookie) and decoded
        await expect
          .poll(
            () =>
              page
                .locator('#cell-images img')
                .evaluateAll((imgs) =>
                  imgs.every(
                    (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 28,
                  ),
                ),
            { timeout: 30_000 },
          )
          .toBe(true);
        shown += expected.length;
      }
    }
    expect(shown).toBe(v1.testKeys.length);
    // 28 px digits keep sharp pixels (photo previews, wider than 96 px, get the 'smooth' class instead)
    expect(
      await page
        .locator('#cell-images img')
        .evaluateAll((imgs) =>
          imgs.map((i) => [getComputedStyle(i).imageRendering, i.classList.contains('smooth')]),
        ),
    ).toEqual(expect.arrayContaining([['pixelated', false]]));
    expect(await page.locator('#cell-images img.smooth').count()).toBe(0);
    // the HTML label is shown as text in the gallery title and never runs
    await page.locator(`button[data-true="2"][data-pred="0"]`).click();
    expect(await page.locator('#cell-title').textContent()).toContain(`of ${EVIL_LABEL} predicted as 0`);
    expect(await accessibilityProblems(page)).toEqual([]);
    const worst = v1.test.confusion
      .flatMap((row, t) => row.map((n, p) => ({ n, t, p })))
      .filter((c) => c.t !== c.p)
      .sort((a, b) => b.n - a.n)[0]!;
    await page.locator(`button[data-true="${worst.t}"][data-pred="${worst.p}"]`).click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-v1-cell.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the try-it page asks for the token once, lists the models and classifies an uploaded image', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await expect
      .poll(() => page.locator('#model option').allTextContents(), { timeout: 30_000 })
      .toEqual(['digits (version 2)']);
    expect(await page.evaluate(() => sessionStorage.getItem('graft-api-token'))).toBe(TOKEN);
    const probe = fx.probes[0]!;
    const classify = async (name: string) => {
      await page
        .locator('#image')
        .setInputFiles({ name, mimeType: 'image/png', buffer: Buffer.from(probe.png) });
      await expect.poll(() => page.locator('#results li').count(), { timeout: 30_000 }).toBe(3);
    };
    await classify('probe-1.png');
    const tensors = tf.memory().numTensors;
    await classify('probe-2.png');
    expect(tf.memory().numTensors).toBe(tensors); // predictions leave no tensors behind
    expect(await page.locator('#status').textContent()).toMatch(/^digits version 2/);
    const shownLabels = await page.locator('#results .label').allTextContents();
    expect([...shownLabels].sort()).toEqual([...labels].sort());
    const scores = (await page.locator('#results .score').allTextContents()).map((s) => Number.parseFloat(s));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    const widths = await page
      .locator('#results .bar')
      .evaluateAll((bars) => bars.map((b) => (b as HTMLElement).style.width));
    expect(widths.map((w) => Number.parseFloat(w))).toEqual(scores.map((s) => expect.closeTo(s, 0)));
    expect(await page.locator('#preview').getAttribute('alt')).toBe('The image to classify: probe-2.png');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'try-it.png'), fullPage: true });
    // the report link works in the same tab: POST /v1/session gave the browser the cookie
    await page.getByRole('link', { name: 'training report' }).click();
    await page.waitForURL(/\/v1\/models\/digits\/report$/);
    expect(await page.title()).toBe('Training report: digits v2');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the demo’s try-it link (/#token=…) signs in without pasting the token and says plainly "none of the labels"', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/#token=${TOKEN}`);
    await expect
      .poll(() => page.locator('#model option').allTextContents(), { timeout: 30_000 })
      .toEqual(['digits (version 2)']);
    expect(page.url()).toBe(`${server.url}/`); // the token left the address bar
    expect(await page.locator('#token-form').isHidden()).toBe(true);
    await page.locator('#image').setInputFiles({
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(await fixture('photo-224.jpg')),
    });
    await expect.poll(() => page.locator('#verdict').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.locator('#verdict').textContent()).toMatch(/^None of the labels/);
    expect(await page.locator('#status').textContent()).toMatch(/none of the labels/);
    expect(await page.locator('#results li').count()).toBe(3); // the predictions are still listed
    await page
      .locator('#image')
      .setInputFiles({ name: 'probe.png', mimeType: 'image/png', buffer: Buffer.from(fx.probes[0]!.png) });
    await expect.poll(() => page.locator('#verdict').isHidden(), { timeout: 30_000 }).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'try-it-none-of-the-labels.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('without a session a report link shows the sign-in page, which signs in', async () => {
    const { page } = await openPage();
    const res = await page.goto(`${server.url}/v1/models/digits/versions/1/report`);
    expect(res?.status()).toBe(401);
    await page.getByLabel('API token').fill('wrong-token-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('[role=alert]').textContent()).toBe('invalid token');
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/v1/models/digits/versions/1/report`);
    expect(await page.title()).toBe('Training report: digits v1');
    await page.context().close();
  });

  it('a photo larger than the gallery is served as a small JPEG preview and drawn smoothly', async () => {
    const key = `datasets/digits/test/${labels[0]}/holiday photo.jpg`;
    await fx.store.put(key, fixture('photo-640x480.jpg'));
    const [modelJson, weights, graft] = await Promise.all(
      (['model.json', 'weights.bin', 'graft.json'] as const).map((f) => fx.registry.readFile('digits', 1, f)),
    );
    // one test image, true and predicted label 0: the cells must add up to the confusion matrix
    const confusion = labels.map((_, t) => labels.map((_, p) => (t === 0 && p === 0 ? 1 : 0)));
    const report = {
      ...v1,
      testKeys: [key],
      testPredictions: [0],
      testLabels: [0],
      test: { ...v1.test, confusion },
    };
    await fx.registry.publish('photos', { modelJson: modelJson!, weights: weights!, graft: graft!, report });
    const { page, errors } = await openPage();
    const res = await page.goto(`${server.url}/v1/models/photos/versions/1/report?token=${TOKEN}`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('table.confusion button').count()).toBe(9);
    await page.locator('button[data-true="0"][data-pred="0"]').click();
    const img = page.locator('#cell-images img');
    await expect
      .poll(() => img.evaluate((i) => (i as HTMLImageElement).naturalWidth), { timeout: 30_000 })
      .toBe(192);
    expect(
      await img.evaluate((i) => [i.classList.contains('smooth'), getComputedStyle(i).imageRendering]),
    ).toEqual([true, 'auto']);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
