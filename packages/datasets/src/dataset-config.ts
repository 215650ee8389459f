import { InvalidDatasetError } from './errors.js';
import { assertLabel } from './names.js';

/**
 * A data set's `graft.json`: how its uploads are turned into features. Written before any upload so the
 * extract function knows the backbone, input size and cut when the first image arrives.
 */
export interface DatasetConfig {
  /** Backbone id, e.g. `mobilenet_v2`. */
  backbone: string;
  /** Square input size in pixels the backbone runs at (e.g. 96, 128, 160, 224). */
  inputSize: number;
  /** Layer name where the frozen trunk ends (the freeze boundary), e.g. `block_10_project_BN`. */
  cut: string;
  /** Optional fixed label list (class order); uploads with other labels are refused. */
  labels?: string[];
  /** ISO-8601 creation time. */
  createdAt: string;
}

/** A {@link DatasetConfig} as a caller gives it: `createdAt` is filled in when missing. */
export type DatasetConfigInput = Omit<DatasetConfig, 'createdAt'> & { createdAt?: string };

/**
 * Validates a data set configuration and returns a normalised copy (with `createdAt` set to now when
 * missing). Throws `InvalidDatasetError` on a bad field.
 *
 * @example
 * ```ts
 * const config = normalizeDatasetConfig({ backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_10_project_BN' });
 * config.createdAt; // '2026-…Z'
 * ```
 */
export function normalizeDatasetConfig(input: DatasetConfigInput, now: Date = new Date()): DatasetConfig {
  if (!input || typeof input !== 'object') throw new InvalidDatasetError('data set config must be an object');
  const { backbone, inputSize, cut, labels, createdAt } = input;
  if (typeof backbone !== 'string' || backbone.trim() === '') {
    throw new InvalidDatasetError('config.backbone must be a non-empty string');
  }
  if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 4096) {
    throw new InvalidDatasetError(`config.inputSize must be an integer in 8–4096, got ${inputSize}`);
  }
  if (typeof cut !== 'string' || cut.trim() === '')
    throw new InvalidDatasetError('config.cut must be a non-empty string');
  const config: DatasetConfig = { backbone, inputSize, cut, createdAt: createdAt ?? now.toISOString() };
  if (Number.isNaN(Date.parse(config.createdAt))) {
    throw new InvalidDatasetError(`config.createdAt must be an ISO date, got ${JSON.stringify(createdAt)}`);
  }
  if (labels !== undefined) {
    if (!Array.isArray(labels) || labels.length === 0) {
      throw new InvalidDatasetError('config.labels must be a non-empty array of labels when given');
    }
    for (const label of labels) assertLabel(label);
    if (new Set(labels).size !== labels.length)
      throw new InvalidDatasetError('config.labels contains duplicates');
    config.labels = [...labels];
  }
  return config;
}
