/**
 * `graft demo --json` without `--exit`: once serving it prints a line with the API URL, token, model and report
 * URL, the report link works in a browser-like client (token exchanged for a cookie), and SIGTERM stops it cleanly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graftServing, type Serving } from './graft-process.js';

describe('graft demo --json (serving)', () => {
  let dataDir: string | undefined;
  let serving: Serving | undefined;

  afterAll(async () => {
    await serving?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the serving line, serves the report behind the token, and stops on SIGTERM', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'graft-e2e-serving-'));
    serving = graftServing([
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
    ]);
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

    expect(await serving.stop()).toBe(0);
    serving = undefined;
  }, 300_000);
});
