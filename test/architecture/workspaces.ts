/**
 * Reads the workspaces of this repository and the imports of their sources, for the architecture tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One npm workspace: its name, folder, declared workspace dependencies and source files. */
export interface Workspace {
  name: string;
  dir: string;
  declared: string[];
  files: string[];
}

/** One import of a source file: what it names and whether only types come through it. */
export interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
  /** A worker thread's entry module (`new URL('./worker.ts', import.meta.url)`): loaded in another thread. */
  worker?: boolean;
}

/** Every workspace listed by the root package.json (folders with a package.json under its globs). */
export function workspaces(): Workspace[] {
  const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(path.join(ROOT, glob.slice(0, -2))).map((d) => path.join(glob.slice(0, -2), d))
      : [glob],
  );
  return dirs
    .filter((dir) => {
      try {
        return statSync(path.join(ROOT, dir, 'package.json')).isFile();
      } catch {
        return false;
      }
    })
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const sources = ['src', 'lib', 'bin'].flatMap((sub) => sourceFiles(path.join(ROOT, dir, sub)));
      return {
        name: pkg.name,
        dir,
        declared: Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@graft/')),
        files: sources,
      };
    });
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts') ? [full] : [];
  });
}

const STATIC = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*'([^']+)'/gm;
const SIDE_EFFECT = /^\s*import\s+'([^']+)'/gm;
const DYNAMIC = /\bimport\(\s*(?:\/\*[^*]*\*\/\s*)?'([^']+)'\s*\)/g;
const WORKER_URL = /new URL\(\s*'([^']+\.(?:ts|mjs|js))'\s*,\s*import\.meta\.url\s*\)/g;

/**
 * The imports of one file: static imports and re-exports (type-only when every name is a type), side-effect
 * imports, dynamic `import('…')` with a literal and worker entries named by `new URL('…', import.meta.url)`.
 */
export function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(STATIC)) {
    const names = m[3] ?? '';
    const typeOnly =
      Boolean(m[2]) ||
      (/^\{[^}]*\}$/s.test(names.trim()) &&
        names
          .replace(/[{}]/g, '')
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean)
          .every((n) => n.startsWith('type ')));
    out.push({ file, specifier: m[4]!, typeOnly });
  }
  for (const m of text.matchAll(SIDE_EFFECT)) out.push({ file, specifier: m[1]!, typeOnly: false });
  for (const m of text.matchAll(DYNAMIC)) out.push({ file, specifier: m[1]!, typeOnly: false });
  for (const m of text.matchAll(WORKER_URL))
    out.push({ file, specifier: m[1]!, typeOnly: false, worker: true });
  return out;
}

/** The workspace a `@graft/…` specifier names (`@graft/bench/commands` → `@graft/bench`). */
export function workspaceOf(specifier: string): string | undefined {
  const m = /^(@graft\/[a-z0-9-]+)/.exec(specifier);
  return m?.[1];
}

/** The file a relative specifier points at (`./x.js` → `x.ts` when only the TypeScript file exists). */
export function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  for (const candidate of [
    target,
    target.replace(/\.js$/, '.ts'),
    `${target}.ts`,
    path.join(target, 'index.ts'),
  ]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  return target;
}

/** Import cycles among `files` (strongly connected components of more than one file, or a file importing itself). */
export function cycles(files: string[], edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const file of files) if (!indexOf.has(file)) visit(file);
  return found;
}
