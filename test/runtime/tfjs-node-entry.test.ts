/**
 * `#tfjs` on Node (`packages/runtime/src/tfjs-node.cjs`) must be tfjs itself: the same module object, with every
 * name tfjs exports visible to ES imports (its generated list is how Node learns them without lexing tfjs).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../packages/runtime/src/tfjs-node.cjs', import.meta.url));
const require = createRequire(import.meta.url);

describe('the Node entry of #tfjs', () => {
  it('exports, to an ES import in plain Node, exactly the names of @tensorflow/tfjs, bound to tfjs itself', async () => {
    const script = `
      const ns = await import(${JSON.stringify(entry)});
      const tf = (await import('node:module')).createRequire(${JSON.stringify(entry)})('@tensorflow/tfjs');
      const differing = Object.keys(tf).filter((k) => k !== '__esModule' && ns[k] !== tf[k]);
      console.log(JSON.stringify({ names: Object.keys(ns), differing, isTfjs: ns.default === tf }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const seen = JSON.parse(stdout) as { names: string[]; differing: string[]; isTfjs: boolean };
    const expected = Object.keys(require('@tensorflow/tfjs')).filter((n) => n !== '__esModule');
    expect(seen.names.filter((n) => n !== 'default').sort()).toEqual(expected.sort());
    expect(seen.differing).toEqual([]);
    expect(seen.isTfjs).toBe(true);
  });

  it('resolves for Node from @graft/runtime (package.json imports, "node" condition)', async () => {
    const runtimeJson = require('../../packages/runtime/package.json') as {
      imports: Record<string, Record<string, string>>;
    };
    expect(runtimeJson.imports['#tfjs']).toMatchObject({
      node: './src/tfjs-node.cjs',
      types: './src/tfjs.ts',
    });
    // evaluated inside the runtime package, so '#tfjs' resolves against its package.json as its modules' imports do
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', `console.log(import.meta.resolve('#tfjs'))`],
      { cwd: fileURLToPath(new URL('../../packages/runtime/', import.meta.url)) },
    );
    expect(stdout.trim()).toMatch(/packages\/runtime\/src\/tfjs-node\.cjs$/);
  });
});
