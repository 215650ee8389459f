import type { BlobStore } from './blob-store.js';
import {
  CorruptDataError,
  InvalidArgumentError,
  NoPreviousVersionError,
  NotFoundError,
  PreconditionFailedError,
} from './errors.js';
import { readJson, toFileBytes, writeJson } from './json-blob.js';
import {
  modelCurrent,
  modelsPrefix,
  modelVersionFile,
  modelVersionsPrefix,
  VERSION_FILES,
  type VersionFile,
} from './keys.js';
import { modelName, versionNumber } from './names.js';

/** The files of one model version. Objects are JSON-serialised. */
export interface ModelVersionFiles {
  /** tfjs `model.json`; its weights manifest must point at `weights.bin` only. */
  modelJson: string | Uint8Array | object;
  weights: Uint8Array;
  /** Graft bundle metadata (labels, backbone, cut, preprocessing). */
  graft: string | Uint8Array | object;
  /** Training/evaluation report. */
  report: string | Uint8Array | object;
  /** The out-of-distribution detector (`ood.bin`), optional. */
  ood?: Uint8Array;
}

/** `models/<name>/current.json`. */
export interface CurrentPointer {
  version: number;
  /** When the pointer was last set (ISO 8601). */
  publishedAt: string;
}

/** Options of {@link ModelRegistry}. */
export interface ModelRegistryOptions {
  /** Version numbers tried when concurrent publishers race for the same number (default 10). */
  maxPublishAttempts?: number;
  /** Clock (tests). */
  now?: () => Date;
}

/** Order of writes: `graft.json` claims the version number (If-None-Match), `report.json` completes it. */
const WRITE_ORDER: VersionFile[] = ['graft.json', 'weights.bin', 'ood.bin', 'model.json', 'report.json'];

/**
 * Immutable, numbered model versions with a movable `current.json` pointer.
 *
 * Every version file is written with `ifNoneMatch`, so a version is never overwritten; the first
 * file (`graft.json`) claims the number, and a publisher that loses the race moves on to the next
 * number. A version counts as published once all four files exist; `current.json` is written last.
 * Concurrent publishes get distinct versions; the pointer ends at whichever wrote it last.
 *
 * @example
 * ```ts
 * const registry = new ModelRegistry(store);
 * const n = await registry.publish('pets', { modelJson, weights, graft: { labels }, report: { accuracy: 0.97 } });
 * await registry.rollback('pets'); // current → n - 1
 * ```
 */
export class ModelRegistry {
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(
    private readonly store: BlobStore,
    options: ModelRegistryOptions = {},
  ) {
    this.maxAttempts = options.maxPublishAttempts ?? 10;
    this.now = options.now ?? (() => new Date());
  }

  /** Publishes the next version and (unless `promote: false`) points `current.json` at it. Returns the version number. */
  async publish(
    name: string,
    files: ModelVersionFiles,
    options: { promote?: boolean } = {},
  ): Promise<number> {
    modelName(name);
    const bytes: Partial<Record<VersionFile, Uint8Array>> = {
      'model.json': toFileBytes(files.modelJson),
      'weights.bin': files.weights,
      'graft.json': toFileBytes(files.graft),
      'report.json': toFileBytes(files.report),
      ...(files.ood ? { 'ood.bin': files.ood } : {}),
    };
    if (!(files.weights instanceof Uint8Array))
      throw new InvalidArgumentError('weights must be a Uint8Array');
    if (files.ood !== undefined && !(files.ood instanceof Uint8Array))
      throw new InvalidArgumentError('ood must be a Uint8Array');
    checkModelJson(bytes['model.json']!);
    for (const file of ['graft.json', 'report.json'] as const) parseJson(bytes[file]!, file);

    let version = (await this.allVersionNumbers(name)).reduce((a, b) => Math.max(a, b), 0) + 1;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.put(modelVersionFile(name, version, 'graft.json'), bytes['graft.json']!, {
          contentType: 'application/json',
          ifNoneMatch: true,
        });
        break;
      } catch (err) {
        if (!(err instanceof PreconditionFailedError) || attempt + 1 >= this.maxAttempts) throw err;
        version += 1;
      }
    }
    for (const file of WRITE_ORDER.slice(1)) {
      const body = bytes[file];
      if (!body) continue;
      await this.store.put(modelVersionFile(name, version, file), body, {
        contentType: file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        ifNoneMatch: true,
      });
    }
    if (options.promote ?? true) await this.setCurrent(name, version);
    return version;
  }

  /** Names of all models with at least one stored file, sorted. */
  async listModels(): Promise<string[]> {
    const names = new Set<string>();
    for await (const info of this.store.list(modelsPrefix())) {
      const name = info.key.split('/')[1];
      if (name) names.add(name);
    }
    return [...names].sort();
  }

  /** Complete (all four files present) versions of a model, ascending. */
  async listVersions(name: string): Promise<number[]> {
    const files = await this.versionFiles(name);
    return [...files.entries()]
      .filter(([, present]) => VERSION_FILES.every((f) => present.has(f)))
      .map(([n]) => n)
      .sort((a, b) => a - b);
  }

  /** The serving pointer, or `undefined` when the model has none. */
  async getCurrent(name: string): Promise<CurrentPointer | undefined> {
    try {
      const pointer = await readJson<CurrentPointer>(this.store, modelCurrent(name));
      if (!Number.isSafeInteger(pointer?.version) || typeof pointer.publishedAt !== 'string') {
        throw new CorruptDataError(`${modelCurrent(name)} is not a version pointer`);
      }
      return pointer;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Points `current.json` at an existing complete version. */
  async promote(name: string, version: number): Promise<CurrentPointer> {
    versionNumber(version);
    if (!(await this.listVersions(name)).includes(version)) {
      throw new NotFoundError(
        modelVersionFile(name, version, 'model.json'),
        `Model ${name} has no version ${version}`,
      );
    }
    return this.setCurrent(name, version);
  }

  /** Points `current.json` at the newest complete version older than the current one. */
  async rollback(name: string): Promise<CurrentPointer> {
    const current = await this.getCurrent(name);
    if (!current) throw new NotFoundError(modelCurrent(name), `Model ${name} has no current version`);
    const previous = (await this.listVersions(name)).filter((n) => n < current.version).pop();
    if (previous === undefined) throw new NoPreviousVersionError(name, current.version);
    return this.setCurrent(name, previous);
  }

  /** Reads one file of a version. */
  async readFile(name: string, version: number, file: VersionFile): Promise<Uint8Array> {
    return this.store.get(modelVersionFile(name, version, file));
  }

  /**
   * Reads the files a version's bundle is loaded from (`model.json` and `graft.json` as text, the weights and, when
   * the version has one, the out-of-distribution detector `ood.bin` as bytes), in parallel; `NotFoundError` when
   * one of the first three is missing.
   *
   * @example
   * ```ts
   * const served = await loadBundle(await registry.readBundleFiles('pets', 3));
   * ```
   */
  async readBundleFiles(
    name: string,
    version: number,
  ): Promise<{ modelJson: string; weights: Uint8Array; graft: string; ood?: Uint8Array }> {
    const [modelJson, weights, graft, ood] = await Promise.all([
      this.readFile(name, version, 'model.json'),
      this.readFile(name, version, 'weights.bin'),
      this.readFile(name, version, 'graft.json'),
      this.readFile(name, version, 'ood.bin').catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }),
    ]);
    const text = new TextDecoder();
    return { modelJson: text.decode(modelJson), weights, graft: text.decode(graft), ...(ood ? { ood } : {}) };
  }

  /** Reads and parses one JSON file of a version. */
  async readJson<T>(name: string, version: number, file: Exclude<VersionFile, 'weights.bin'>): Promise<T> {
    return readJson<T>(this.store, modelVersionFile(name, version, file));
  }

  private async setCurrent(name: string, version: number): Promise<CurrentPointer> {
    const pointer: CurrentPointer = { version, publishedAt: this.now().toISOString() };
    await writeJson(this.store, modelCurrent(name), pointer);
    return pointer;
  }

  private async allVersionNumbers(name: string): Promise<number[]> {
    return [...(await this.versionFiles(name)).keys()];
  }

  private async versionFiles(name: string): Promise<Map<number, Set<string>>> {
    const prefix = modelVersionsPrefix(name);
    const out = new Map<number, Set<string>>();
    for await (const info of this.store.list(prefix)) {
      const [n, file] = info.key.slice(prefix.length).split('/');
      const version = Number(n);
      if (!Number.isSafeInteger(version) || version < 1 || !file) continue;
      if (!out.has(version)) out.set(version, new Set());
      out.get(version)!.add(file);
    }
    return out;
  }
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new InvalidArgumentError(`${what} is not valid JSON`);
  }
}

function checkModelJson(bytes: Uint8Array): void {
  const json = parseJson(bytes, 'model.json') as { weightsManifest?: { paths?: unknown }[] } | null;
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new InvalidArgumentError('model.json must be an object');
  const paths = (json.weightsManifest ?? []).flatMap((group) =>
    Array.isArray(group?.paths) ? group.paths : [null],
  );
  if (paths.length > 0 && (paths.length !== 1 || paths[0] !== 'weights.bin')) {
    throw new InvalidArgumentError('model.json must list exactly one weights file, "weights.bin"');
  }
}
