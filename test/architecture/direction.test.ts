/**
 * The dependency rule, checked on every source file (docs/architecture.md explains it):
 * libraries (packages/*) → nothing above them; functions → libraries only, never another function; the local
 * stand-ins for AWS → functions and libraries; the CLI → all of those; the bench workspace → anything. Every
 * `@graft/…` import is declared in the importing workspace's package.json, relative imports stay inside their
 * workspace, and no workspace has an import cycle among its own files.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cycles,
  importsOf,
  ROOT,
  resolveRelative,
  type Workspace,
  workspaceOf,
  workspaces,
} from './workspaces.js';

type Kind = 'library' | 'function' | 'local' | 'cli' | 'bench' | 'deploy';

/** What each workspace is. A new workspace must be added here (the test below fails until it is). */
const KIND: Record<string, Kind> = {
  '@graft/errors': 'library',
  '@graft/runtime': 'library',
  '@graft/storage': 'library',
  '@graft/imaging': 'library',
  '@graft/core': 'library',
  '@graft/backbones': 'library',
  '@graft/datasets': 'library',
  '@graft/extraction': 'library',
  '@graft/jobs': 'library',
  '@graft/fn-api': 'function',
  '@graft/fn-extract': 'function',
  '@graft/fn-finetune': 'function',
  '@graft/local-aws': 'local',
  '@graft/cli': 'cli',
  '@graft/bench': 'bench',
  '@graft/cdk': 'deploy',
};

/** Which kinds a kind may import. */
const MAY_IMPORT: Record<Kind, Kind[]> = {
  library: ['library'],
  function: ['library'],
  local: ['library', 'function'],
  cli: ['library', 'function', 'local'],
  bench: ['library', 'function', 'local', 'cli'],
  deploy: ['library'],
};

/**
 * The one import against the direction, on purpose: the `graft` executable is the program's composition root and
 * adds the bench workspace's commands when that workspace is installed (an optional, dynamic import).
 */
const COMPOSITION_ROOTS: Record<string, string[]> = {
  'packages/cli/bin/graft.js': ['@graft/bench/commands'],
};

const all = workspaces();
const rel = (file: string) => path.relative(ROOT, file);

function graftImports(ws: Workspace) {
  return ws.files.flatMap((file) =>
    importsOf(file)
      .filter((i) => workspaceOf(i.specifier) !== undefined)
      .filter((i) => !(COMPOSITION_ROOTS[rel(file)] ?? []).includes(i.specifier))
      .map((i) => ({ ...i, workspace: workspaceOf(i.specifier)! })),
  );
}

describe('workspace dependency direction', () => {
  it('knows what every workspace is', () => {
    expect(all.map((w) => w.name).filter((name) => !(name in KIND))).toEqual([]);
    expect(all.length).toBeGreaterThanOrEqual(13);
  });

  it.each(all.map((w) => [w.name, w] as const))('%s imports only what its kind may import', (_, ws) => {
    const kind = KIND[ws.name]!;
    const wrong = graftImports(ws)
      .filter((i) => i.workspace !== ws.name)
      .filter((i) => !MAY_IMPORT[kind].includes(KIND[i.workspace]!))
      .map((i) => `${rel(i.file)} imports ${i.specifier} (${kind} → ${KIND[i.workspace]})`);
    expect(wrong).toEqual([]);
  });

  it.each(all.map((w) => [w.name, w] as const))('%s declares exactly the workspaces it imports', (_, ws) => {
    const used = new Set(graftImports(ws).map((i) => i.workspace));
    used.delete(ws.name);
    expect([...ws.declared].sort()).toEqual([...used].sort());
  });

  it('has no cycle between workspaces', () => {
    const names = all.map((w) => w.name);
    const edges = new Map(all.map((w) => [w.name, w.declared]));
    expect(cycles(names, edges)).toEqual([]);
  });

  it.each(all.map((w) => [w.name, w] as const))('%s reaches other workspaces only by name', (_, ws) => {
    const dir = path.join(ROOT, ws.dir);
    const escapes = ws.files.flatMap((file) =>
      importsOf(file)
        .filter((i) => i.specifier.startsWith('.'))
        .filter((i) => !resolveRelative(file, i.specifier).startsWith(dir + path.sep))
        .map((i) => `${rel(file)} → ${i.specifier}`),
    );
    expect(escapes).toEqual([]);
  });

  it.each(all.map((w) => [w.name, w] as const))('%s has no import cycle among its files', (_, ws) => {
    const edges = new Map(
      ws.files.map((file) => [
        file,
        importsOf(file)
          .filter((i) => i.specifier.startsWith('.') && !i.worker)
          .map((i) => resolveRelative(file, i.specifier)),
      ]),
    );
    expect(cycles(ws.files, edges).map((c) => c.map(rel))).toEqual([]);
  });

  it('catches an import against the direction (the checker itself works)', () => {
    const fake: Workspace = {
      name: '@graft/core',
      dir: 'packages/core',
      declared: [],
      files: [path.join(ROOT, 'packages/local-aws/src/local-runtime.ts')],
    };
    const wrong = graftImports(fake).filter((i) => !MAY_IMPORT.library.includes(KIND[i.workspace]!));
    expect(wrong.length).toBeGreaterThan(0);
    const a = 'a.ts';
    const b = 'b.ts';
    expect(
      cycles(
        [a, b],
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([[a, b]]);
  });
});
