/**
 * The training report routes over a real trained model (two runJob versions on the embedded S3).
 */
import { decodeImage } from '@graft/imaging';
import { tf } from '@graft/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, RegistryModelSource, StoreJobs } from '../../../functions/api/src/index.js';
import { formatNumber } from '../../../functions/api/src/report/escape.js';
import { fixture } from '../../imaging/fixtures.js';
import { auth, RecordingRunner, TOKEN } from './fakes.js';
import { EVIL_LABEL, PER_SPLIT, type ReportFixture, startReportFixture } from './report-fixture.js';

let fx: ReportFixture;
let app: ReturnType<typeof createApp>;
interface StoredReport {
  test: { confusion: number[][]; ece: number; accuracy: number };
  testUncalibrated: { ece: number };
  testKeys: string[];
  testPredictions: number[];
  history: unknown[];
  bestEpoch: number;
}
const reports: Record<number, StoredReport> = {};

beforeAll(async () => {
  fx = await startReportFixture();
  for (const v of [1, 2]) {
    reports[v] = JSON.parse(new TextDecoder().decode(await fx.registry.readFile('digits', v, 'report.json')));
  }
  app = createApp({
    models: new RegistryModelSource(fx.store),
    jobs: new StoreJobs(fx.store),
    runner: new RecordingRunner(),
    store: fx.store,
    token: TOKEN,
  });
}, 240_000);

afterAll(async () => {
  app?.serving.dispose();
  await fx?.close();
});

const get = (path: string, headers: Record<string, string> = auth) => app.request(path, { headers });
const cellCounts = (html: string) =>
  [...html.matchAll(/data-true="(\d+)" data-pred="(\d+)" data-count="(\d+)"/g)].map((m) =>
    m.slice(1).map(Number),
  );

describe('GET /v1/models/{name}/report', () => {
  it('renders the serving version: data set, strategy, charts, confusion matrix, per-class, calibration, versions', async () => {
    const tensors = tf.memory().numTensors;
    const res = await get('/v1/models/digits/report');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const r = reports[2]!;
    expect(html).toContain('<title>Training report: digits v2</title>');
    expect(html).toContain('version 2 (serving)');
    // data set: per class and split (the broken upload counts as uploaded, and is listed as rejected)
    expect(html).toMatch(/<th scope="row">0<\/th><td>11<\/td><td>3<\/td><td>5<\/td><td>19<\/td>/);
    expect(html).toContain(
      `<td>${3 * (PER_SPLIT.train + PER_SPLIT.val + PER_SPLIT.test) + 1}</td></tr></tfoot>`,
    );
    expect(html).toContain('Rejected uploads: <strong class="rejected-count">1</strong>');
    expect(html).toContain('datasets/digits/train/0/broken.png</code>: corrupt_image');
    expect(html).toContain('<strong class="strategy">feature-extraction</strong>');
    expect(html).toContain('Strategy feature-extraction as requested.');
    // curves: two charts, a point per epoch and series, the best epoch marked
    expect(html).toContain('<title id="loss-chart-t">Loss per epoch</title>');
    expect(html).toContain('<title id="acc-chart-t">Accuracy per epoch</title>');
    expect(html.match(/<circle /g)?.length).toBe(2 * 2 * r.history.length);
    expect(html.match(/class="best-epoch"/g)?.length).toBe(2);
    expect(html).toContain(`best epoch ${r.bestEpoch + 1}`);
    // confusion matrix: one button per cell, with the stored counts
    expect(cellCounts(html)).toEqual(r.test.confusion.flatMap((row, t) => row.map((n, p) => [t, p, n])));
    // per class, calibration, versions
    expect(html.match(/<table class="per-class">[\s\S]*?<\/table>/)?.[0].match(/<tr>/g)?.length).toBe(4);
    expect(html).toContain(`<strong class="ece-before">${formatNumber(r.testUncalibrated.ece)}</strong>`);
    expect(html).toContain(`<strong class="ece-after">${formatNumber(r.test.ece)}</strong>`);
    expect(html.match(/<svg class="chart reliability"/g)?.length).toBe(2);
    const versions = html.match(/<table class="versions">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(versions).toContain('v2 <span class="muted">(this report, serving)</span>');
    expect(versions).toContain('<a href="versions/1/report">v1</a>');
    expect(versions.match(/feature-extraction/g)?.length).toBe(2);
    // self-contained: nothing loaded from elsewhere
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/|@import|[^A-Za-z]url\(/);
    // reports touch no tensors
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('escapes labels and keys: a label that is HTML stays text', async () => {
    const html = await (await get('/v1/models/digits/versions/1/report')).text();
    expect(html).not.toContain(EVIL_LABEL);
    // the only images are the page's own thumbnails of test images (the OOD section), never markup from a label
    const images = html.match(/<img\b[^>]*>/gi) ?? [];
    for (const tag of images)
      expect(tag).toMatch(/^<img src="\.\.\/1\/test-images\/\d+" alt="[^"<>]*" width="84" height="84">$/);
    expect(html).toContain('&lt;img src=x onerror=alert(7)&gt;');
    const json = html.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/)?.[1] ?? '';
    expect(json).not.toContain('<');
    expect(JSON.parse(json).labels).toContain(EVIL_LABEL);
  });

  it('renders an older version by number, with links relative to its route, and a nonce on its one script', async () => {
    const res = await get('/v1/models/digits/versions/1/report');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(cellCounts(html)).toEqual(
      reports[1]!.test.confusion.flatMap((row, t) => row.map((n, p) => [t, p, n])),
    );
    expect(html).toContain('<a href="../2/report">v2</a>');
    const data = JSON.parse(html.match(/id="report-data">(.*?)<\/script>/)?.[1] ?? '{}');
    expect(data.imageBase).toBe('../1/test-images/');
    expect(data.keys).toEqual(reports[1]!.testKeys);
    // every cell lists exactly the test images whose key label and prediction match it
    const labels: string[] = data.labels;
    for (const [t, row] of (data.cells as number[][][]).entries()) {
      for (const [p, indexes] of row.entries()) {
        expect(indexes.length).toBe(reports[1]!.test.confusion[t]![p]);
        for (const i of indexes) {
          expect(data.keys[i].split('/')[3]).toBe(labels[t]);
          expect(reports[1]!.testPredictions[i]).toBe(p);
        }
      }
    }
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    expect(nonce).toBeTruthy();
    expect(html.match(/<script nonce="([^"]+)">/)?.[1]).toBe(nonce);
  });

  it('answers 404/409/400 for unknown models and versions, bad parameters', async () => {
    expect((await (await get('/v1/models/nope/report')).json()).error.code).toBe('model_not_found');
    const v9 = await get('/v1/models/digits/versions/9/report');
    expect(v9.status).toBe(404);
    expect((await v9.json()).error.code).toBe('version_not_found');
    expect((await get('/v1/models/digits/versions/0/report')).status).toBe(400);
    expect((await get('/v1/models/digits/versions/x/report')).status).toBe(400);
    expect((await get('/v1/models/-bad/report')).status).toBe(400);
    await fx.registry.publish('unpromoted', await copyVersion('digits', 2, { dataset: 'digits' }), {
      promote: false,
    });
    const unserved = await get('/v1/models/unpromoted/report');
    expect(unserved.status).toBe(409);
    expect((await unserved.json()).error.code).toBe('no_serving_version');
  });

  it('renders "not recorded" for versions without (or with a malformed) report', async () => {
    await fx.registry.publish('legacy', await copyVersion('digits', 2, {}));
    await fx.registry.publish(
      'legacy',
      await copyVersion('digits', 2, {
        history: 'nope',
        test: { confusion: [[1, 2]], perClass: 'x', reliability: [{ lower: 'a' }] },
        counts: 3,
        testKeys: [1, 2],
        decision: null,
      }),
    );
    for (const v of [1, 2]) {
      const res = await get(`/v1/models/legacy/versions/${v}/report`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html.match(/not recorded/g)?.length).toBeGreaterThanOrEqual(8);
      expect(html).not.toContain('data-true=');
    }
    // graft.json without report.json (a hand-made version): the page says so (new app: reports are cached)
    await fx.store.delete('models/legacy/versions/1/report.json');
    const fresh = createApp({
      models: new RegistryModelSource(fx.store),
      jobs: new StoreJobs(fx.store),
      runner: new RecordingRunner(),
      store: fx.store,
      token: TOKEN,
    });
    const html = await (await fresh.request('/v1/models/legacy/versions/1/report', { headers: auth })).text();
    expect(html).toContain('This version has no report.json');
  });
});

describe('GET /v1/models/{name}/versions/{v}/test-images/{index}', () => {
  it('streams exactly the test images of the report, as PNG', async () => {
    const keys = reports[1]!.testKeys;
    expect(keys.length).toBe(3 * PER_SPLIT.test);
    for (const [i, key] of keys.entries()) {
      const res = await get(`/v1/models/digits/versions/1/test-images/${i}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(await fx.store.get(key));
    }
  });

  it('404 past the end, 400 for anything but an index: no other key can be read', async () => {
    const n = reports[1]!.testKeys.length;
    const past = await get(`/v1/models/digits/versions/1/test-images/${n}`);
    expect(past.status).toBe(404);
    expect((await past.json()).error.code).toBe('test_image_not_found');
    for (const bad of ['-1', '1.5', 'abc', '..%2F..%2Fjobs', '%2e%2e', '0x1']) {
      const res = await get(`/v1/models/digits/versions/1/test-images/${bad}`);
      expect([400, 404]).toContain(res.status);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
    expect((await get('/v1/models/digits/versions/7/test-images/0')).status).toBe(404);
    expect((await get('/v1/models/legacy/versions/2/test-images/0')).status).toBe(404);
  });

  it('serves a large photo as a 192 px JPEG preview, not the upload', async () => {
    const photo = fixture('photo-640x480.jpg');
    const key = 'datasets/digits/test/0/big photo.jpg';
    await fx.store.put(key, photo);
    const v = await fx.registry.publish('photos', await copyVersion('digits', 2, { testKeys: [key] }));
    const res = await get(`/v1/models/photos/versions/${v}/test-images/0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBeLessThan(photo.length / 4);
    const preview = await decodeImage(bytes);
    expect([preview.width, preview.height]).toEqual([192, 144]);
  });

  it('never serves a non-image as something a browser would render', async () => {
    // a report whose test key points at an HTML upload (a crafted or buggy report): served as a download
    const files = await copyVersion('digits', 2, { testKeys: ['datasets/digits/test/0/page.html'] });
    await fx.store.put(
      'datasets/digits/test/0/page.html',
      new TextEncoder().encode('<script>alert(1)</script>'),
    );
    const v = await fx.registry.publish('crafted', files);
    const res = await get(`/v1/models/crafted/versions/${v}/test-images/0`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('needs the store: 501 not_configured without it', async () => {
    const bare = createApp({
      models: new RegistryModelSource(fx.store),
      jobs: new StoreJobs(fx.store),
      runner: new RecordingRunner(),
      token: TOKEN,
    });
    const res = await bare.request('/v1/models/digits/report', { headers: auth });
    expect(res.status).toBe(501);
    expect((await res.json()).error.code).toBe('not_configured');
  });
});

async function copyVersion(name: string, version: number, report: object) {
  const [modelJson, weights, graft] = await Promise.all([
    fx.registry.readFile(name, version, 'model.json'),
    fx.registry.readFile(name, version, 'weights.bin'),
    fx.registry.readFile(name, version, 'graft.json'),
  ]);
  return { modelJson, weights, graft, report };
}
