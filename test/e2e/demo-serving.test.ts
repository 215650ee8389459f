/**
 * `graft demo --json` without `--exit`: once serving it prints a line with the API URL, token, model and report
 * URL, the report link works in a browser-like client (token exchanged for a cookie), and SIGTERM stops it cleanly —
 * also once the model serves on an inference thread (`GRAFT_INFERENCE_THREADS=1`), whose port would otherwise keep
 * the process alive.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeGrayPng } from '@graft/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { graftServing, type Serving } from './graft-process.js';

describe('graft demo --json (serving)', () => {
  let dataDir: string | undefined;
  let serving: Serving | undefined;

  afterAll(async () => {
    await serving?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the serving line, serves the report behind the token, predicts on an inference thread, and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'graft-e2e-serving-'));
    serving = graftServing(
      [
        'demo',
        '--json',
        '--per-class',
        '4',
        '--val-per-class',
        '2',
        '--test-per-class',
        '2',
        '--data-dir',
        dataDir,
        '--port',
        '0',
      ],
      { GRAFT_INFERENCE_THREADS: '1' },
    );
    const line = await serving.line('token', 280_000);
    expect(line).toMatchObject({ model: 'digits', modelVersion: 1, bucket: 'graft' });
    expect(line.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.s3Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(String(line.token).length).toBeGreaterThanOrEqual(16);
    const reportUrl = String(line.reportUrl);
    expect(reportUrl).toBe(
      `${line.apiUrl}/v1/models/digits/report?token=${encodeURIComponent(String(line.token))}`,
    );

    // Without the token: refused.
    expect((await fetch(`${line.apiUrl}/v1/models/digits/report`)).status).toBe(401);
    // The link: the token becomes a session cookie and the URL loses it.
    const first = await fetch(reportUrl, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).not.toContain('token=');
    const cookie = first.headers.get('set-cookie')?.split(';')[0];
    expect(cookie).toBeTruthy();
    const page = await fetch(`${line.apiUrl}/v1/models/digits/report`, { headers: { cookie: cookie! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('digits');

    // predictions for a few seconds: the version's inference thread starts beside it and takes over
    const digit = encodeGrayPng(new Uint8Array(28 * 28).fill(128), 28, 28);
    const until = performance.now() + 4000;
    while (performance.now() < until) {
      const answer = await fetch(`${line.apiUrl}/v1/models/digits/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${line.token}`, 'content-type': 'image/png' },
        body: Buffer.from(digit),
      });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
      await new Promise((r) => setTimeout(r, 250));
    }

    expect(await serving.stop()).toBe(0);
    serving = undefined;
  }, 300_000);
});
