import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DatasetUnavailableError, InvalidDatasetError } from './errors.js';
import { parseIdx } from './idx.js';

/** Where the Debian package `dataset-fashion-mnist` installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The Debian package that ships Fashion-MNIST. */
export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

/** Official Fashion-MNIST class names, indexed by label (0–9). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * Fashion-MNIST class names usable as storage key segments (`T-shirt/top` → `T-shirt-top`; the others
 * are unchanged), indexed by label.
 */
export const FASHION_MNIST_LABELS: readonly string[] = Object.freeze(
  FASHION_MNIST_CLASSES.map((name) => name.replace('/', '-')),
);

/** A data set of 28×28 grayscale images with integer labels. */
export interface GrayImageSet {
  /** One row-major 28×28 gray image (0–255) per sample. */
  images: Uint8Array[];
  /** Class index per sample; `classNames[labels[i]]` is its name. */
  labels: number[];
  /** Every class name of the data set, indexed by class. */
  classNames: string[];
  width: number;
  height: number;
}

/** Options of {@link loadFashionMnist}. */
export interface LoadFashionMnistOptions {
  /** Folder with the IDX files; default: {@link FASHION_MNIST_DIR} (installed via {@link ensureFashionMnist}). */
  dir?: string;
  /** `train` (60,000 images) or `test` (10,000, the `t10k-*` files). */
  split: 'train' | 'test';
  /** Keep at most this many samples (after class filtering), in file order. */
  limit?: number;
  /** Keep only these classes (indices 0–9 or official names). Labels stay the original indices. */
  classes?: (number | string)[];
}

const execFileAsync = promisify(execFile);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Resolves `<prefix>-<kind>-idx<rank>-ubyte` plain or `.gz` inside `dir`, or undefined. */
async function findIdx(dir: string, base: string): Promise<string | undefined> {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (await exists(path)) return path;
  }
  return undefined;
}

async function hasAllFiles(dir: string): Promise<boolean> {
  for (const prefix of ['train', 't10k']) {
    if (!(await findIdx(dir, `${prefix}-images-idx3-ubyte`))) return false;
    if (!(await findIdx(dir, `${prefix}-labels-idx1-ubyte`))) return false;
  }
  return true;
}

/**
 * Makes sure the Fashion-MNIST IDX files are present and returns their folder. When they are missing from
 * the default folder and the process runs as root, installs the Debian package `dataset-fashion-mnist`
 * with `apt-get install -y` (set `install: false` to forbid that). Throws `DatasetUnavailableError`
 * otherwise, with the command to run.
 *
 * @example
 * ```ts
 * const dir = await ensureFashionMnist(); // '/usr/share/datasets/fashion-mnist'
 * ```
 */
export async function ensureFashionMnist(options: { dir?: string; install?: boolean } = {}): Promise<string> {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  if (await hasAllFiles(dir)) return dir;
  if (dir !== FASHION_MNIST_DIR) {
    throw new DatasetUnavailableError(
      'fashion-mnist',
      `no train-/t10k- images-idx3-ubyte(.gz) and labels-idx1-ubyte(.gz) files in ${dir}`,
    );
  }
  const hint = `install it with: apt-get install -y ${FASHION_MNIST_PACKAGE}`;
  if (options.install === false) throw new DatasetUnavailableError('fashion-mnist', `not installed; ${hint}`);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new DatasetUnavailableError('fashion-mnist', `not installed and not running as root; ${hint}`);
  }
  try {
    await execFileAsync('apt-get', ['install', '-y', '--no-install-recommends', FASHION_MNIST_PACKAGE], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new DatasetUnavailableError(
      'fashion-mnist',
      `apt-get install ${FASHION_MNIST_PACKAGE} failed: ${stderr.split('\n').slice(-3).join(' ') || (error as Error).message}`,
      { cause: error },
    );
  }
  if (!(await hasAllFiles(dir))) {
    throw new DatasetUnavailableError(
      'fashion-mnist',
      `${FASHION_MNIST_PACKAGE} installed but ${dir} lacks IDX files`,
    );
  }
  return dir;
}

function resolveClasses(classes: (number | string)[] | undefined): Set<number> | undefined {
  if (!classes) return undefined;
  const wanted = new Set<number>();
  for (const c of classes) {
    const index = typeof c === 'number' ? c : FASHION_MNIST_CLASSES.indexOf(c);
    const byLabel = typeof c === 'string' && index < 0 ? FASHION_MNIST_LABELS.indexOf(c) : index;
    if (!Number.isInteger(byLabel) || byLabel < 0 || byLabel >= FASHION_MNIST_CLASSES.length) {
      throw new InvalidDatasetError(`unknown Fashion-MNIST class ${JSON.stringify(c)}`);
    }
    wanted.add(byLabel);
  }
  return wanted;
}

/**
 * Loads Fashion-MNIST from its standard IDX files (gzip or not). Images are copied out of the file buffer,
 * labels stay the original class indices into {@link FASHION_MNIST_CLASSES}.
 *
 * @example
 * ```ts
 * const { images, labels, classNames } = await loadFashionMnist({ split: 'test', limit: 1000 });
 * console.log(classNames[labels[0]!]); // 'Ankle boot'
 * ```
 */
export async function loadFashionMnist(options: LoadFashionMnistOptions): Promise<GrayImageSet> {
  const split = options?.split;
  if (split !== 'train' && split !== 'test') {
    throw new InvalidDatasetError(
      `Fashion-MNIST split must be "train" or "test", got ${JSON.stringify(split)}`,
    );
  }
  const { limit } = options;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidDatasetError(`limit must be an integer ≥ 0, got ${limit}`);
  }
  const wanted = resolveClasses(options.classes);
  const dir = options.dir ?? (await ensureFashionMnist());
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesPath = await findIdx(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = await findIdx(dir, `${prefix}-labels-idx1-ubyte`);
  if (!imagesPath || !labelsPath) {
    throw new DatasetUnavailableError(
      'fashion-mnist',
      `missing ${prefix}-images-idx3-ubyte(.gz) or ${prefix}-labels-idx1-ubyte(.gz) in ${dir}`,
    );
  }
  const images = parseIdx(await readFile(imagesPath), imagesPath);
  const labels = parseIdx(await readFile(labelsPath), labelsPath);
  if (images.dims.length !== 3) {
    throw new InvalidDatasetError(
      `${imagesPath}: expected 3 dimensions (n, rows, cols), got ${images.dims.length}`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new InvalidDatasetError(`${labelsPath}: expected 1 dimension (n), got ${labels.dims.length}`);
  }
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new InvalidDatasetError(
      `${imagesPath} has ${count} images but ${labelsPath} has ${labels.dims[0]} labels`,
    );
  }
  const size = width * height;
  const out: GrayImageSet = { images: [], labels: [], classNames: [...FASHION_MNIST_CLASSES], width, height };
  const max = limit ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < count && out.images.length < max; i++) {
    const label = labels.data[i]!;
    if (label >= FASHION_MNIST_CLASSES.length) {
      throw new InvalidDatasetError(`${labelsPath}: label ${label} at index ${i} is outside 0–9`);
    }
    if (wanted && !wanted.has(label)) continue;
    out.images.push(images.data.slice(i * size, (i + 1) * size));
    out.labels.push(label);
  }
  return out;
}
