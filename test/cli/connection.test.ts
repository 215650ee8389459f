/** `assertNotRunning`: a second Graft on the same data folder is refused only while the first one really serves. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNotRunning } from '../../packages/cli/src/connection.js';

let dir: string;
const alive = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
const health = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end('{}'));
let apiUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'graft-connection-'));
  await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
});

afterAll(async () => {
  alive.kill();
  health.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const runtimeJson = (pid: number, url = apiUrl) =>
  writeFile(path.join(dir, 'runtime.json'), JSON.stringify({ apiUrl: url, token: 't', pid }));

describe('assertNotRunning', () => {
  it('lets a start through when no Graft ran here', async () => {
    await expect(assertNotRunning(path.join(dir, 'empty'))).resolves.toBeUndefined();
  });

  it('refuses while the recorded process is alive and its API answers', async () => {
    await runtimeJson(alive.pid!);
    await expect(assertNotRunning(dir)).rejects.toMatchObject({
      code: 'already_running',
      message: expect.stringContaining(`pid ${alive.pid}, API ${apiUrl}`),
    });
  });

  it('ignores a file a dead process left, and a live pid whose API does not answer (a reused pid)', async () => {
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.on('exit', resolve));
    await runtimeJson(dead.pid!);
    await expect(assertNotRunning(dir)).resolves.toBeUndefined();
    await runtimeJson(alive.pid!, 'http://127.0.0.1:9');
    await expect(assertNotRunning(dir)).resolves.toBeUndefined();
  });
});
