import { tf } from '@graft/runtime';
import { InvalidBundleError } from '../errors.js';
import type { StrategyName } from '../types.js';

/**
 * The contents of `graft.json`: everything needed to serve and audit a trained model.
 *
 * @example
 * ```ts
 * const meta: GraftMeta = parseGraftMeta(JSON.parse(files.graft));
 * meta.labels; // ['cat', 'dog']
 * ```
 */
export interface GraftMeta {
  formatVersion: 1;
  /** Class names, in output order. */
  labels: string[];
  input: { size: number; channels: number; preprocessing: { scale: number; offset: number } };
  /** The source backbone, and the layer of the bundled model whose output are its pooled features. */
  backbone: { id: string; name: string; featuresLayer: string };
  /** The frozen trunk ends at this cut point; serving runs it compiled (`compileTrunk`), the rest as layers. */
  cut: string;
  strategy: StrategyName;
  hyperparameters: Record<string, unknown>;
  metrics: Record<string, unknown>;
  /** Temperature of the calibrated softmax (1 = uncalibrated). */
  temperature: number;
  datasetFingerprint: string;
  createdAt: string;
  tfjsVersion: string;
}

/**
 * The tfjs version written into `graft.json`.
 *
 * @example
 * ```ts
 * tfjsVersion(); // '4.22.0'
 * ```
 */
export function tfjsVersion(): string {
  const v = tf.version as unknown as Record<string, string>;
  return v.tfjs ?? v['tfjs-core'] ?? 'unknown';
}

/**
 * Checks that a parsed `graft.json` is a format-1 bundle description and returns it typed.
 *
 * @example
 * ```ts
 * const meta = parseGraftMeta(JSON.parse(files.graft));
 * ```
 */
export function parseGraftMeta(value: unknown): GraftMeta {
  const m = value as Partial<GraftMeta> | null;
  if (!m || typeof m !== 'object') throw new InvalidBundleError('graft.json is not an object');
  if (m.formatVersion !== 1)
    throw new InvalidBundleError(`graft.json formatVersion ${m.formatVersion}, expected 1`);
  if (!Array.isArray(m.labels) || m.labels.length < 2 || m.labels.some((l) => typeof l !== 'string'))
    throw new InvalidBundleError('graft.json labels must be at least 2 strings');
  const i = m.input;
  if (
    !i ||
    !Number.isInteger(i.size) ||
    !Number.isInteger(i.channels) ||
    typeof i.preprocessing?.scale !== 'number' ||
    typeof i.preprocessing?.offset !== 'number'
  )
    throw new InvalidBundleError('graft.json input needs size, channels and preprocessing {scale, offset}');
  if (!m.backbone || typeof m.backbone.featuresLayer !== 'string' || typeof m.backbone.name !== 'string')
    throw new InvalidBundleError('graft.json backbone needs id, name and featuresLayer');
  if (typeof m.cut !== 'string') throw new InvalidBundleError('graft.json cut must be a string');
  if (!(typeof m.temperature === 'number' && m.temperature > 0))
    throw new InvalidBundleError('graft.json temperature must be a positive number');
  return m as GraftMeta;
}

/**
 * A content fingerprint of a labelled data set: SHA-256 over the sorted `sha256 label` lines (Web Crypto, so it
 * also runs at the edge).
 *
 * @example
 * ```ts
 * const fp = await fingerprintDataset([{ sha256: 'ab12…', label: 'cat' }]); // 'sha256:…'
 * ```
 */
export async function fingerprintDataset(entries: { sha256: string; label: string }[]): Promise<string> {
  const text = entries
    .map((e) => `${e.sha256} ${e.label}`)
    .sort()
    .join('\n');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `sha256:${Buffer.from(digest).toString('hex')}`;
}
