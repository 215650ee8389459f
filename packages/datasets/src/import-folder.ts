import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BlobStore } from '@graft/storage';
import { DatasetUnavailableError } from './errors.js';
import {
  type DatasetSample,
  type ImportDatasetOptions,
  type ImportResult,
  importDataset,
} from './import-dataset.js';
import { SPLITS, type Split } from './names.js';

/** What {@link importFolder} did, on top of {@link ImportResult}. */
export interface ImportFolderResult extends ImportResult {
  /** `label` (`<label>/<file>`) or `split` (`<split>/<label>/<file>`). */
  layout: 'label' | 'split';
  /** Paths (relative to the folder) not uploaded, with why: hidden, not under a label folder, nested too deep. */
  skipped: { path: string; reason: string }[];
}

interface Entry {
  name: string;
  path: string;
  kind: 'dir' | 'file' | 'other';
}

async function entries(dir: string): Promise<Entry[]> {
  const list: Dirent[] = await readdir(dir, { withFileTypes: true });
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Entry[] = [];
  for (const dirent of list) {
    const path = join(dir, dirent.name);
    let kind: Entry['kind'] = dirent.isDirectory() ? 'dir' : dirent.isFile() ? 'file' : 'other';
    if (dirent.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      kind = target?.isDirectory() ? 'dir' : target?.isFile() ? 'file' : 'other';
    }
    out.push({ name: dirent.name, path, kind });
  }
  return out;
}

const isHidden = (name: string): boolean => name.startsWith('.');

/**
 * Imports a folder tree through {@link importDataset}. Layouts: `<label>/<file>` (splits assigned by hash
 * of the bytes) or, when every top-level folder is `train`, `val` or `test`, `<split>/<label>/<file>`.
 * Hidden files and folders (leading `.`) are skipped, as are files outside a label folder and folders
 * nested deeper than the layout; each is listed in `skipped`. Files are visited in sorted order.
 *
 * Files with non-image extensions (or content) are still uploaded: the extract pipeline decides whether
 * it can decode them and writes a `rejects/<dataset>/<sha256>.json` record when it cannot, so nothing is
 * silently dropped.
 *
 * @example
 * ```ts
 * // photos/cat/1.jpg, photos/dog/2.jpg …
 * const result = await importFolder(store, 'pets', 'photos', {
 *   config: { backbone: 'mobilenet_v2', inputSize: 160, cut: 'block_10_project_BN' },
 * });
 * console.log(result.layout, result.counts, result.skipped);
 * ```
 */
export async function importFolder(
  store: BlobStore,
  dataset: string,
  dir: string,
  options: ImportDatasetOptions,
): Promise<ImportFolderResult> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new DatasetUnavailableError(dataset, `${dir} is not a folder`);
  const top = await entries(dir);
  const skipped: ImportFolderResult['skipped'] = [];
  const visibleDirs = top.filter((e) => e.kind === 'dir' && !isHidden(e.name));
  const layout: ImportFolderResult['layout'] =
    visibleDirs.length > 0 && visibleDirs.every((e) => (SPLITS as readonly string[]).includes(e.name))
      ? 'split'
      : 'label';
  const rel = (path: string): string => relative(dir, path);

  async function* labelFiles(labelDir: Entry, split: Split | undefined): AsyncGenerator<DatasetSample> {
    for (const file of await entries(labelDir.path)) {
      if (isHidden(file.name)) skipped.push({ path: rel(file.path), reason: 'hidden' });
      else if (file.kind !== 'file')
        skipped.push({ path: rel(file.path), reason: 'not a file under <label>/' });
      else
        yield {
          label: labelDir.name,
          name: file.name,
          bytes: new Uint8Array(await readFile(file.path)),
          split,
        };
    }
  }

  async function* labelDirs(root: Entry[], split: Split | undefined): AsyncGenerator<DatasetSample> {
    for (const entry of root) {
      if (isHidden(entry.name)) skipped.push({ path: rel(entry.path), reason: 'hidden' });
      else if (entry.kind !== 'dir')
        skipped.push({ path: rel(entry.path), reason: 'not inside a label folder' });
      else yield* labelFiles(entry, split);
    }
  }

  async function* samples(): AsyncGenerator<DatasetSample> {
    if (layout === 'label') {
      yield* labelDirs(top, undefined);
      return;
    }
    for (const entry of top) {
      if (isHidden(entry.name)) skipped.push({ path: rel(entry.path), reason: 'hidden' });
      else if (entry.kind !== 'dir')
        skipped.push({ path: rel(entry.path), reason: 'not inside a split folder' });
      else yield* labelDirs(await entries(entry.path), entry.name as Split);
    }
  }

  const result = await importDataset(store, dataset, samples(), options);
  return { ...result, layout, skipped };
}
