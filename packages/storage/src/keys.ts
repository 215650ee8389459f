/**
 * The bucket layout of DESIGN.md "Storage layout", as functions. Every function validates its
 * arguments (typed `InvalidNameError`) so no caller can build a key outside its area.
 */
import { InvalidNameError } from './errors.js';
import {
  backboneId,
  backboneName,
  datasetName,
  fileName,
  jobId,
  labelName,
  modelName,
  sha256Hex,
  versionNumber,
} from './names.js';

/** Data set splits. An upload without a split is assigned one by hash later. */
export type Split = 'train' | 'val' | 'test';

/** The splits, in order. */
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** A parsed upload key. */
export interface UploadKey {
  dataset: string;
  split?: Split;
  label: string;
  file: string;
}

/** The four files every model version has. */
export const VERSION_FILES = ['model.json', 'weights.bin', 'graft.json', 'report.json'] as const;
/** Files a model version may have: `ood.bin`, the out-of-distribution detector (versions before it have none). */
export const OPTIONAL_VERSION_FILES = ['ood.bin'] as const;
export type VersionFile = (typeof VERSION_FILES)[number] | (typeof OPTIONAL_VERSION_FILES)[number];

/**
 * The three files of a registered backbone.
 *
 * @example
 * ```ts
 * BACKBONE_FILES.map((f) => backboneFile('cnn', f)); // 'backbones/cnn/model.json', …
 * ```
 */
export const BACKBONE_FILES = ['model.json', 'weights.bin', 'backbone.json'] as const;
/**
 * One of {@link BACKBONE_FILES}.
 *
 * @example
 * ```ts
 * const file: BackboneFile = 'backbone.json';
 * ```
 */
export type BackboneFile = (typeof BACKBONE_FILES)[number];

/**
 * `datasets/<ds>/graft.json` — the data set config, written before uploads.
 *
 * @example
 * ```ts
 * datasetConfig('pets'); // 'datasets/pets/graft.json'
 * ```
 */
export function datasetConfig(ds: string): string {
  return `datasets/${datasetName(ds)}/graft.json`;
}

/**
 * `datasets/<ds>/` — prefix of everything in a data set.
 *
 * @example
 * ```ts
 * datasetPrefix('pets'); // 'datasets/pets/'
 * ```
 */
export function datasetPrefix(ds: string): string {
  return `datasets/${datasetName(ds)}/`;
}

/**
 * `datasets/<ds>/<split>/<label>/<file>` (or without the split segment).
 *
 * @example
 * ```ts
 * upload('pets', 'train', 'golden retriever', 'a 1.jpg'); // 'datasets/pets/train/golden retriever/a 1.jpg'
 * upload('pets', undefined, 'cat', 'b.jpg'); // 'datasets/pets/cat/b.jpg'
 * ```
 */
export function upload(ds: string, split: Split | undefined, label: string, file: string): string {
  if (split !== undefined && !SPLITS.includes(split)) {
    throw new InvalidNameError('split', String(split), 'must be train, val or test (or undefined)');
  }
  const parts = [datasetName(ds), ...(split ? [split] : []), labelName(label), fileName(file)];
  return `datasets/${parts.join('/')}`;
}

/**
 * Parses an upload key (the raw key, already decoded from an S3 event). Returns `undefined` for
 * anything that is not a valid upload (the data set config, rejects, bad names, unknown splits).
 *
 * @example
 * ```ts
 * parseUploadKey('datasets/pets/train/cat/1.jpg'); // { dataset: 'pets', split: 'train', label: 'cat', file: '1.jpg' }
 * parseUploadKey('datasets/pets/cat/1.jpg'); // { dataset: 'pets', label: 'cat', file: '1.jpg' }
 * parseUploadKey('datasets/pets/graft.json'); // undefined
 * ```
 */
export function parseUploadKey(key: string): UploadKey | undefined {
  const parts = key.split('/');
  if (parts[0] !== 'datasets') return undefined;
  try {
    if (parts.length === 5) {
      const split = parts[2] as Split;
      if (!SPLITS.includes(split)) return undefined;
      return {
        dataset: datasetName(parts[1]!),
        split,
        label: labelName(parts[3]!),
        file: fileName(parts[4]!),
      };
    }
    if (parts.length === 4) {
      return { dataset: datasetName(parts[1]!), label: labelName(parts[2]!), file: fileName(parts[3]!) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * `features/<backbone-id>/<cut>/<sha256>.bin` — trunk output for one image.
 *
 * @example
 * ```ts
 * feature('mobilenet_v2-224', 'block_10_project_BN', sha); // 'features/mobilenet_v2-224/block_10_project_BN/<sha>.bin'
 * ```
 */
export function feature(backboneId: string, cut: string, sha256: string): string {
  return `features/${backboneName(backboneId)}/${backboneName(cut, 'cut')}/${sha256Hex(sha256)}.bin`;
}

/**
 * `models/` — prefix of every model.
 *
 * @example
 * ```ts
 * modelsPrefix(); // 'models/'
 * ```
 */
export function modelsPrefix(): string {
  return 'models/';
}

/**
 * `models/<name>/versions/` — prefix of all versions of a model.
 *
 * @example
 * ```ts
 * modelVersionsPrefix('pets'); // 'models/pets/versions/'
 * ```
 */
export function modelVersionsPrefix(name: string): string {
  return `models/${modelName(name)}/versions/`;
}

/**
 * `models/<name>/versions/<n>/` — prefix of one immutable version.
 *
 * @example
 * ```ts
 * modelVersionPrefix('pets', 3); // 'models/pets/versions/3/'
 * ```
 */
export function modelVersionPrefix(name: string, n: number): string {
  return `${modelVersionsPrefix(name)}${versionNumber(n)}/`;
}

/**
 * `models/<name>/versions/<n>/<file>` — one file of a version.
 *
 * @example
 * ```ts
 * modelVersionFile('pets', 3, 'model.json'); // 'models/pets/versions/3/model.json'
 * ```
 */
export function modelVersionFile(name: string, n: number, file: VersionFile): string {
  return `${modelVersionPrefix(name, n)}${file}`;
}

/**
 * `models/<name>/current.json` — the serving pointer, written last.
 *
 * @example
 * ```ts
 * modelCurrent('pets'); // 'models/pets/current.json'
 * ```
 */
export function modelCurrent(name: string): string {
  return `models/${modelName(name)}/current.json`;
}

/**
 * `jobs/<id>.json` — job spec, status and progress.
 *
 * @example
 * ```ts
 * job('01J9Z3Q4X8K2M5N7P9R1S3T5V7'); // 'jobs/01J9Z3Q4X8K2M5N7P9R1S3T5V7.json'
 * ```
 */
export function job(id: string): string {
  return `jobs/${jobId(id)}.json`;
}

/**
 * `jobs/<id>.cancel` — written once when a client cancels the job; the running job watches for it (its record
 * may be rewritten by the job's own progress writes, this marker never is).
 *
 * @example
 * ```ts
 * jobCancel('01J9Z3Q4X8K2M5N7P9R1S3T5V7'); // 'jobs/01J9Z3Q4X8K2M5N7P9R1S3T5V7.cancel'
 * ```
 */
export function jobCancel(id: string): string {
  return `jobs/${jobId(id)}.cancel`;
}

/**
 * `rejects/<ds>/<sha256>.json` — why an upload could not be used.
 *
 * @example
 * ```ts
 * reject('pets', sha); // 'rejects/pets/<sha>.json'
 * ```
 */
export function reject(ds: string, sha256: string): string {
  return `rejects/${datasetName(ds)}/${sha256Hex(sha256)}.json`;
}

/**
 * `backbones/` — prefix of every registered backbone.
 *
 * @example
 * ```ts
 * backbonesPrefix(); // 'backbones/'
 * ```
 */
export function backbonesPrefix(): string {
  return 'backbones/';
}

/**
 * `backbones/<id>/` — prefix of one registered (immutable) backbone.
 *
 * @example
 * ```ts
 * backbonePrefix('digits-cnn'); // 'backbones/digits-cnn/'
 * ```
 */
export function backbonePrefix(id: string): string {
  return `${backbonesPrefix()}${backboneId(id)}/`;
}

/**
 * `backbones/<id>/<file>` — one file of a registered backbone (`model.json`, `weights.bin`, `backbone.json`).
 *
 * @example
 * ```ts
 * backboneFile('digits-cnn', 'backbone.json'); // 'backbones/digits-cnn/backbone.json'
 * ```
 */
export function backboneFile(id: string, file: BackboneFile): string {
  if (!BACKBONE_FILES.includes(file)) {
    throw new InvalidNameError('backbone file', String(file), `must be one of ${BACKBONE_FILES.join(', ')}`);
  }
  return `${backbonePrefix(id)}${file}`;
}
