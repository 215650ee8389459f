import { MAX_SEGMENT_BYTES, names } from '@graft/storage';
import { InvalidDatasetError } from './errors.js';

/** The splits a labelled upload can belong to. */
export type Split = 'train' | 'val' | 'test';

/** Every split, in key order. */
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkSegment(kind: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidDatasetError(`${kind} must be a non-empty string`);
  }
  if (value.includes('/') || value.includes('\\')) {
    throw new InvalidDatasetError(`${kind} "${value}" must not contain "/" or "\\"`);
  }
  if (CONTROL.test(value))
    throw new InvalidDatasetError(`${kind} "${value}" must not contain control characters`);
  if (value.trim() !== value)
    throw new InvalidDatasetError(`${kind} "${value}" must not start or end with spaces`);
  if (Buffer.byteLength(value, 'utf8') > MAX_SEGMENT_BYTES) {
    throw new InvalidDatasetError(
      `${kind} "${value.slice(0, 20)}…" is longer than ${MAX_SEGMENT_BYTES} bytes`,
    );
  }
  return value;
}

/**
 * Validates a data set name with storage's one name rule (`names.nameProblem`: 1–64 letters, digits, `.`, `_`,
 * `-`, starting with a letter or digit, no `..`). Throws `InvalidDatasetError` otherwise and returns the name.
 *
 * @example
 * ```ts
 * assertDatasetName('pets'); // 'pets'
 * assertDatasetName('../etc'); // throws InvalidDatasetError
 * ```
 */
export function assertDatasetName(name: unknown): string {
  const problem = names.nameProblem(name);
  if (problem !== undefined)
    throw new InvalidDatasetError(`data set name ${JSON.stringify(name)}: ${problem}`);
  return name as string;
}

/**
 * Validates a label (the class name that becomes a key segment): same rules as a data set name. Spaces
 * inside are allowed (`Ankle boot`); S3 events URL-encode them.
 *
 * @example
 * ```ts
 * assertLabel('Ankle boot'); // 'Ankle boot'
 * assertLabel('T-shirt/top'); // throws InvalidDatasetError
 * ```
 */
export function assertLabel(label: unknown): string {
  const value = checkSegment('label', label);
  if (value.includes('..')) throw new InvalidDatasetError(`label "${value}" must not contain ".."`);
  if (value.startsWith('.')) throw new InvalidDatasetError(`label "${value}" must not start with "."`);
  return value;
}

/**
 * Validates a file name (the last key segment): non-empty, no `/` or `\`, not `.`/`..`, not hidden
 * (leading `.`), no control characters, at most 200 bytes.
 *
 * @example
 * ```ts
 * assertFileName('cat 01.jpg'); // 'cat 01.jpg'
 * assertFileName('a/b.jpg'); // throws InvalidDatasetError
 * ```
 */
export function assertFileName(name: unknown): string {
  const value = checkSegment('file name', name);
  if (value.startsWith('.')) throw new InvalidDatasetError(`file name "${value}" must not start with "."`);
  return value;
}

/**
 * Validates a split name.
 *
 * @example
 * ```ts
 * assertSplit('val'); // 'val'
 * assertSplit('validation'); // throws InvalidDatasetError
 * ```
 */
export function assertSplit(split: unknown): Split {
  if (split === 'train' || split === 'val' || split === 'test') return split;
  throw new InvalidDatasetError(`split must be one of train, val, test; got ${JSON.stringify(split)}`);
}

/**
 * Key of a data set's configuration: `datasets/<dataset>/graft.json`.
 *
 * @example
 * ```ts
 * datasetConfigKey('pets'); // 'datasets/pets/graft.json'
 * ```
 */
export function datasetConfigKey(dataset: string): string {
  return `datasets/${assertDatasetName(dataset)}/graft.json`;
}

/**
 * Key of one labelled upload: `datasets/<dataset>/<split>/<label>/<file>` (every segment validated).
 *
 * @example
 * ```ts
 * sampleKey('pets', 'train', 'cat', 'a.jpg'); // 'datasets/pets/train/cat/a.jpg'
 * ```
 */
export function sampleKey(dataset: string, split: Split, label: string, file: string): string {
  return `datasets/${assertDatasetName(dataset)}/${assertSplit(split)}/${assertLabel(label)}/${assertFileName(file)}`;
}
