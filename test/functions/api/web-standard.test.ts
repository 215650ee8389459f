import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../../functions/api/src');
/** The Node-only entrypoints; everything else must run in any Web-standard runtime. */
const NODE_ENTRYPOINTS = new Set(['server.ts', 'lambda.ts']);
/** Node-only folders, loaded only by a dynamic import when asked for (the inference worker threads). */
const NODE_FOLDERS = ['inference-pool/'];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1] ?? '');
  return found;
}

/** Built-in Node modules, with or without the `node:` scheme. */
const NODE_BUILTINS = new Set([
  'fs',
  'fs/promises',
  'path',
  'os',
  'http',
  'https',
  'net',
  'crypto',
  'stream',
  'buffer',
  'child_process',
  'url',
  'util',
  'worker_threads',
  'zlib',
  'events',
]);

describe('Web-standard source', () => {
  it('the scanner finds node imports in every syntax it must catch', () => {
    const sample = `import { a } from 'node:fs';\nexport * from "node:path";\nimport 'node:os';\nawait import('node:crypto');\nconst b = require('fs');`;
    expect(specifiers(sample)).toEqual(['node:fs', 'node:path', 'node:os', 'node:crypto', 'fs']);
  });

  it('app.ts and everything beside it imports no node:* module (server.ts and lambda.ts excepted)', async () => {
    const files = (await sourceFiles(SRC)).filter(
      (f) =>
        !NODE_ENTRYPOINTS.has(relative(SRC, f)) && !NODE_FOLDERS.some((d) => relative(SRC, f).startsWith(d)),
    );
    expect(files.map((f) => relative(SRC, f))).toEqual(
      expect.arrayContaining(['app.ts', 'serving.ts', 'routes/predict.ts']),
    );
    const offenders: string[] = [];
    for (const file of files) {
      const code = await readFile(file, 'utf8');
      for (const spec of specifiers(code)) {
        if (spec.startsWith('node:') || NODE_BUILTINS.has(spec))
          offenders.push(`${relative(SRC, file)}: ${spec}`);
      }
      if (/\bBuffer\.|\bprocess\.|__dirname|require\(/.test(code.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))) {
        offenders.push(`${relative(SRC, file)}: uses a Node global`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
