/**
 * `@graft/datasets`: importers that upload labelled images through the same storage path a user's
 * uploads take (MNIST, Fashion-MNIST, folder trees), plus deterministic hash splits.
 */
export { contentTypeFor, hasImageExtension } from './content-type.js';
export { type DatasetConfig, type DatasetConfigInput, normalizeDatasetConfig } from './dataset-config.js';
export {
  DatasetBackboneChangedError,
  DatasetConflictError,
  DatasetError,
  DatasetUnavailableError,
  InvalidDatasetError,
} from './errors.js';
export {
  ensureFashionMnist,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  FASHION_MNIST_LABELS,
  FASHION_MNIST_PACKAGE,
  type GrayImageSet,
  type LoadFashionMnistOptions,
  loadFashionMnist,
} from './fashion-mnist.js';
export { type IdxArray, isGzip, parseIdx } from './idx.js';
export {
  type DatasetSample,
  type ImportDatasetOptions,
  type ImportProgress,
  type ImportResult,
  importDataset,
} from './import-dataset.js';
export { type ImportFolderResult, importFolder } from './import-folder.js';
export { type LoadMnistOptions, loadMnistDigits, mnistDigitsDir } from './mnist.js';
export {
  assertDatasetName,
  assertFileName,
  assertLabel,
  assertSplit,
  datasetConfigKey,
  SPLITS,
  type Split,
  sampleKey,
} from './names.js';
export { crc32, encodeGrayPng } from './png-gray.js';
export { type FashionSamplesOptions, fashionSamples, mnistSamples } from './samples.js';
export {
  assertSplitFractions,
  DEFAULT_SPLIT_FRACTIONS,
  hashUnit,
  type SplitFractions,
  splitFor,
} from './split.js';
