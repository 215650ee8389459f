/**
 * Reads a version's `report.json` and `graft.json` from the store (versions are immutable, so parsed reports
 * are cached).
 */
import { hasCode } from '@graft/errors';
import type { ObjectReader } from '../ports.js';
import { parseReport, type ReportData } from './report-data.js';
import { groupTestImages, type TestCells } from './test-cells.js';

/**
 * Everything the report page of one version shows about that version.
 *
 * @example
 * ```ts
 * const loaded: LoadedReport | undefined = await reports.load('digits', 2);
 * loaded?.report.test?.accuracy;
 * ```
 */
export interface LoadedReport {
  name: string;
  version: number;
  /** Class names in output order (`graft.json` labels, else the per-class rows of the report). */
  labels: string[];
  createdAt?: string;
  /** True when the version has no `report.json` (older versions): the page says "not recorded". */
  missing: boolean;
  report: ReportData;
  cells: TestCells;
}

const text = new TextDecoder();

async function readJsonOrUndefined(store: ObjectReader, key: string): Promise<unknown> {
  try {
    return JSON.parse(text.decode(await store.get(key)));
  } catch (err) {
    if (hasCode(err, 'not_found')) return undefined;
    if (err instanceof SyntaxError) return {};
    throw err;
  }
}

async function versionKey(name: string, version: number, file: 'graft.json' | 'report.json') {
  const { keys } = await import('@graft/storage');
  return keys.modelVersionFile(name, version, file);
}

/**
 * Loads and caches version reports.
 *
 * @example
 * ```ts
 * const reports = new ReportLoader(store);
 * const r = await reports.load('digits', 1); // undefined when version 1 does not exist
 * ```
 */
export class ReportLoader {
  private readonly cache = new Map<string, Promise<LoadedReport | undefined>>();

  constructor(
    private readonly store: ObjectReader,
    private readonly maxEntries = 16,
  ) {}

  /** The report of `name` version `version`, or `undefined` when that version does not exist. */
  load(name: string, version: number): Promise<LoadedReport | undefined> {
    const id = `${name}@${version}`;
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const loading = this.read(name, version);
    this.cache.set(id, loading);
    // Failures and absent versions are not cached: a version may be published later, the store may recover.
    loading.then(
      (r) => r === undefined && this.cache.delete(id),
      () => this.cache.delete(id),
    );
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    return loading;
  }

  private async read(name: string, version: number): Promise<LoadedReport | undefined> {
    const [graft, raw] = await Promise.all([
      readJsonOrUndefined(this.store, await versionKey(name, version, 'graft.json')),
      readJsonOrUndefined(this.store, await versionKey(name, version, 'report.json')),
    ]);
    if (graft === undefined) return undefined;
    const meta = (typeof graft === 'object' && graft !== null ? graft : {}) as {
      labels?: unknown;
      createdAt?: unknown;
    };
    const report = parseReport(raw);
    const labels =
      Array.isArray(meta.labels) && meta.labels.every((l) => typeof l === 'string')
        ? (meta.labels as string[])
        : (report.test?.perClass?.map((r) => r.label) ?? []);
    return {
      name,
      version,
      labels,
      createdAt: typeof meta.createdAt === 'string' ? meta.createdAt : undefined,
      missing: raw === undefined,
      report,
      cells: groupTestImages(report, labels),
    };
  }
}
