/**
 * The `graft` command runs from a bundle of its sources (packages/cli/bin/bundle.mjs): built when missing, rebuilt
 * when a source it was built from changes, and `graft start` says which code it runs. `GRAFT_BUNDLE=0` compiles the
 * sources on the fly instead.
 */
import { mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { graft, graftServing } from '../e2e/graft-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules/.cache/graft');
const current = async () =>
  JSON.parse(await readFile(path.join(CACHE, 'current.json'), 'utf8')) as {
    dir: string;
    entries: string[];
    inputs: Record<string, [number, number]>;
  };

describe('the graft command line bundle', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is built from the sources and rebuilt after one of them changes', async () => {
    expect((await graft(['--help'], 60_000)).code).toBe(0);
    const before = await current();
    expect(before.entries).toContain('main');
    expect(Object.keys(before.inputs)).toContain('packages/cli/src/main.ts');
    // Import maps are not sources but change what the sources resolve to.
    expect(Object.keys(before.inputs)).toContain('packages/runtime/package.json');
    await stat(path.join(CACHE, before.dir, 'main.js'));

    // An edit (here: a newer mtime) of any input makes the next start rebuild.
    const source = path.join(ROOT, 'packages/cli/src/startup-report.ts');
    const later = new Date(Date.now() + 2000);
    await utimes(source, later, later);
    const help = await graft(['--help'], 60_000);
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toContain('start');
    const after = await current();
    expect(after.dir).not.toBe(before.dir);
    expect(after.inputs['packages/cli/src/startup-report.ts']![1]).toBe((await stat(source)).mtimeMs);
  }, 120_000);

  it.each([
    ['bundle', {}],
    ['sources', { GRAFT_BUNDLE: '0' }],
  ])(
    'graft start runs from %s and serves',
    async (code, env) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'graft-bundle-'));
      dirs.push(dataDir);
      const serving = graftServing(['start', '--json', '--data-dir', dataDir, '--port', '0'], env);
      try {
        const line = await serving.line('apiUrl', 60_000);
        expect((line.startup as { code: string }).code).toBe(code);
        // A route that loads lazily imported code (the models list reads storage through the bundled chunks).
        const models = await fetch(`${line.apiUrl}/v1/models`, {
          headers: { authorization: `Bearer ${line.token}` },
        });
        expect(models.status).toBe(200);
        expect(await models.json()).toMatchObject({ models: [] });
      } finally {
        expect(await serving.stop()).toBe(0);
      }
    },
    120_000,
  );
});
