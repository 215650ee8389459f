import { InvalidNameError } from './errors.js';

/**
 * The one name rule of data sets, models, backbones and cuts (every key segment Graft builds from a client's name):
 * a letter or digit, then letters, digits, `.`, `_`, `-`, at most {@link NAME_MAX_LENGTH} characters, no `..`.
 * The API's schemas, storage and the CLI all check names with {@link nameProblem}.
 *
 * @example
 * ```ts
 * NAME_PATTERN.test('pets-v2'); // true
 * ```
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The longest name {@link NAME_PATTERN} allows. */
export const NAME_MAX_LENGTH = 64;
/** The rule in words, for messages and API documentation. */
export const NAME_RULE =
  'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit, without ".."';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
const CONTROL = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/**
 * Why `value` is not a valid name (see {@link NAME_PATTERN}), or `undefined` when it is.
 *
 * @example
 * ```ts
 * nameProblem('digits'); // undefined
 * nameProblem('a..'); // 'must not contain ".."'
 * ```
 */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) return NAME_RULE;
  if (value.includes('..')) return 'must not contain ".."';
  return undefined;
}

function slug(kind: string, value: string): string {
  const problem = nameProblem(value);
  if (problem !== undefined) throw new InvalidNameError(kind, String(value), problem);
  return value;
}

/**
 * Validates a data set name ({@link nameProblem}).
 *
 * @example
 * ```ts
 * datasetName('pets-v2'); // 'pets-v2'
 * datasetName('../x'); // throws InvalidNameError
 * ```
 */
export function datasetName(value: string): string {
  return slug('dataset', value);
}

/**
 * Validates a model name (same rules as data set names).
 *
 * @example
 * ```ts
 * modelName('pets'); // 'pets'
 * ```
 */
export function modelName(value: string): string {
  return slug('model', value);
}

/**
 * Validates a backbone id or cut name used in feature keys (same rules as data set names).
 *
 * @example
 * ```ts
 * backboneName('mobilenet_v2-224', 'backbone'); // ok
 * ```
 */
export function backboneName(value: string, kind: 'backbone' | 'cut' = 'backbone'): string {
  return slug(kind, value);
}

/** What a registered backbone id may not end with: the `-<input size>` suffix feature keys append to it. */
const SIZE_SUFFIX = /-\d+$/;

/**
 * Validates the id of a registered backbone (`backbones/<id>/`): a data set-style name of at most 59 characters
 * that does not end in `-<digits>`. Feature keys name a backbone `<id>-<input size>` (at most 64 characters), so
 * no two backbones' feature keys can collide: `a` at 96 px is `a-96`, and no id can be `a-96` itself.
 *
 * @example
 * ```ts
 * backboneId('digits-cnn_v2'); // ok
 * backboneId('digits-cnn-96'); // throws InvalidNameError
 * ```
 */
export function backboneId(value: string): string {
  slug('backbone', value);
  if (value.length > 59) throw new InvalidNameError('backbone', value, 'longer than 59 characters');
  if (SIZE_SUFFIX.test(value)) {
    throw new InvalidNameError(
      'backbone',
      value,
      'must not end in "-<digits>" (feature keys append the input size)',
    );
  }
  return value;
}

/**
 * Validates a label: 1–128 characters, free text (spaces, `+`, `%`, unicode are fine) but no `/`,
 * no `..`, no control characters, no leading/trailing whitespace.
 *
 * @example
 * ```ts
 * labelName('golden retriever'); // ok
 * labelName('a/b'); // throws InvalidNameError
 * ```
 */
export function labelName(value: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidNameError('label', String(value), 'must not be empty');
  if ([...value].length > 128) throw new InvalidNameError('label', value, 'longer than 128 characters');
  if (value.includes('/')) throw new InvalidNameError('label', value, 'must not contain "/"');
  if (value.includes('..')) throw new InvalidNameError('label', value, 'must not contain ".."');
  if (value === '.') throw new InvalidNameError('label', value, 'must not be "."');
  if (CONTROL.test(value)) throw new InvalidNameError('label', value, 'must not contain control characters');
  if (value.trim() !== value)
    throw new InvalidNameError('label', value, 'must not start or end with whitespace');
  return value;
}

/**
 * Validates an uploaded file name: 1–255 UTF-8 bytes, no `/`, not `.` or `..`, no control characters.
 *
 * @example
 * ```ts
 * fileName('IMG 0001.jpg'); // ok
 * ```
 */
export function fileName(value: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidNameError('file', String(value), 'must not be empty');
  if (encoder.encode(value).length > 255) throw new InvalidNameError('file', value, 'longer than 255 bytes');
  if (value.includes('/')) throw new InvalidNameError('file', value, 'must not contain "/"');
  if (value === '.' || value === '..') throw new InvalidNameError('file', value, 'must not be "." or ".."');
  if (CONTROL.test(value)) throw new InvalidNameError('file', value, 'must not contain control characters');
  return value;
}

/**
 * Validates a lower-case hex SHA-256 digest.
 *
 * @example
 * ```ts
 * sha256Hex('e3b0c442...'); // throws unless 64 lower-case hex digits
 * ```
 */
export function sha256Hex(value: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new InvalidNameError('sha256', String(value), 'must be 64 lower-case hex digits');
  }
  return value;
}

/** What a job id looks like: 1–64 of `[0-9A-Za-z_-]`. */
export const JOB_ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

/**
 * Validates a job id ({@link JOB_ID_PATTERN}).
 *
 * @example
 * ```ts
 * jobId('01J9Z3Q4X8K2M5N7P9R1S3T5V7'); // ok
 * ```
 */
export function jobId(value: string): string {
  if (typeof value !== 'string' || !JOB_ID_PATTERN.test(value)) {
    throw new InvalidNameError('job', String(value), 'use 1–64 letters, digits, "_" or "-"');
  }
  return value;
}

/**
 * Validates a model version number (a positive safe integer).
 *
 * @example
 * ```ts
 * versionNumber(3); // 3
 * ```
 */
export function versionNumber(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidNameError('version', String(value), 'must be a positive integer');
  }
  return value;
}
