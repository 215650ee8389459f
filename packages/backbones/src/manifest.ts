import type { Preprocessing, SourceStatistics } from '@graft/core';
import { CorruptDataError } from '@graft/storage';
import { InvalidBackboneError } from './errors.js';

/**
 * Where a registered backbone came from.
 *
 * @example
 * ```ts
 * const p: BackboneProvenance = { kind: 'developed', model: 'digits', version: 3, dataset: 'mnist' };
 * ```
 */
export type BackboneProvenance =
  | { kind: 'bundled' }
  | { kind: 'folder'; path: string }
  | { kind: 'url'; url: string }
  | { kind: 'developed'; model: string; version: number; dataset: string };

/**
 * A cut point of a backbone as its manifest lists it (output shape at the default input size).
 *
 * @example
 * ```ts
 * const cut: BackboneCut = { name: 'block_13_expand_relu', index: 116, outputShape: [6, 6, 576] };
 * ```
 */
export interface BackboneCut {
  name: string;
  index: number;
  outputShape: number[];
}

/**
 * The statistics the similarity measure compares a data set with, recorded on the source's own training images when
 * Graft develops the backbone: `@graft/core`'s `SourceStatistics` (per probed layer, the mean and variance of each
 * channel; `recordSourceStatistics` makes them, `measureSimilarity(…, { source })` uses them).
 *
 * @example
 * ```ts
 * const stats: SourceStats = await recordSourceStatistics(developed, sourceImages);
 * ```
 */
export type SourceStats = SourceStatistics;

/**
 * `backbones/<id>/backbone.json`: what a registered backbone is, written once with its files.
 *
 * @example
 * ```ts
 * const manifest: BackboneManifest = await registry.get('mobilenet_v2');
 * manifest.defaultCut; // 'block_13_expand_relu'
 * ```
 */
export interface BackboneManifest {
  formatVersion: 1;
  /** Registry id; feature keys use `<id>-<input size>`. */
  id: string;
  /** Architecture, e.g. 'mobilenet_v2'. */
  name: string;
  createdAt: string;
  provenance: BackboneProvenance;
  preprocessing: Preprocessing;
  /** Input sizes the backbone can be rebuilt for (all of them were loaded when it was registered). */
  inputSizes: number[];
  /** The input size data sets use when none is asked. */
  defaultInputSize: number;
  inputChannels: number;
  /** Layer of the source model whose output are the features (pooled when it is a feature map). */
  featuresLayer: string;
  /** Valid cut points, the last one named 'features' (output shapes at the default input size). */
  cuts: BackboneCut[];
  /** The cut data sets use when none is asked. */
  defaultCut: string;
  /** Last layer index whose weights are untouched pretrained weights; null when no layer is marked. */
  pretrainedUpTo: number | null;
  /** The layers the source trained last (first and last), or null when unknown or none. */
  sourceTrainedLayers: { from: string; to: string } | null;
  /** SHA-256 of `weights.bin`. */
  weightsSha256: string;
  weightsBytes: number;
  parameters: number;
  /** Recorded on the source's training images when Graft develops the backbone. */
  sourceStats?: SourceStats;
}

/**
 * A manifest without its cut list and source statistics, as listings show it.
 *
 * @example
 * ```ts
 * const s: BackboneSummary = summarizeManifest(manifest);
 * ```
 */
export type BackboneSummary = Omit<BackboneManifest, 'cuts' | 'sourceStats'> & { hasSourceStats: boolean };

/**
 * The listing form of a manifest.
 *
 * @example
 * ```ts
 * (await registry.list()).map(summarizeManifest);
 * ```
 */
export function summarizeManifest(manifest: BackboneManifest): BackboneSummary {
  const { cuts: _cuts, sourceStats, ...rest } = manifest;
  return { ...rest, hasSourceStats: sourceStats !== undefined };
}

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Checks a stored `backbone.json` and returns it typed; `CorruptDataError` when it is not a manifest.
 *
 * @example
 * ```ts
 * const manifest = parseManifest(await readJson(store, keys.backboneFile('digits-cnn', 'backbone.json')));
 * ```
 */
export function parseManifest(value: unknown, where = 'backbone.json'): BackboneManifest {
  const m = value as Partial<BackboneManifest> | null;
  const bad = (why: string) => new CorruptDataError(`${where} is not a backbone manifest: ${why}`);
  if (!m || typeof m !== 'object' || m.formatVersion !== 1) throw bad('formatVersion is not 1');
  if (typeof m.id !== 'string' || typeof m.name !== 'string') throw bad('id and name must be strings');
  if (typeof m.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weightsSha256))
    throw bad('weightsSha256 must be 64 hex digits');
  if (
    !Array.isArray(m.inputSizes) ||
    !m.inputSizes.every(isInt) ||
    !m.inputSizes.includes(m.defaultInputSize!)
  )
    throw bad('inputSizes must be integers including defaultInputSize');
  if (!Array.isArray(m.cuts) || !m.cuts.some((c) => c?.name === m.defaultCut))
    throw bad('defaultCut must be one of the cuts');
  if (!m.preprocessing || !Number.isFinite(m.preprocessing.scale) || !Number.isFinite(m.preprocessing.offset))
    throw bad('preprocessing needs scale and offset');
  if (typeof m.featuresLayer !== 'string' || !isInt(m.inputChannels))
    throw bad('featuresLayer, inputChannels');
  if (!m.provenance || !['bundled', 'folder', 'url', 'developed'].includes(m.provenance.kind))
    throw bad('unknown provenance');
  return m as BackboneManifest;
}

/**
 * Checks source statistics handed to `add` (their shape, not their values); `InvalidBackboneError` otherwise.
 *
 * @example
 * ```ts
 * checkSourceStats({ method: 'source-statistics', images: 200, inputSize: 28, layers: [] });
 * ```
 */
export function checkSourceStats(stats: unknown): SourceStats {
  const s = stats as SourceStats | null;
  const bad = (why: string) => new InvalidBackboneError(`sourceStats: ${why}`);
  if (!s || typeof s !== 'object' || s.method !== 'source-statistics')
    throw bad("must be source statistics (method 'source-statistics')");
  if (!isInt(s.images) || s.images < 1 || !isInt(s.inputSize))
    throw bad('images and inputSize must be integers');
  const ok =
    Array.isArray(s.layers) &&
    s.layers.every(
      (l) =>
        typeof l?.name === 'string' &&
        isNumbers(l.mean) &&
        isNumbers(l.variance) &&
        l.mean.length === l.variance.length,
    );
  if (!ok) throw bad('layers must be { name, mean[], variance[] } with equal lengths');
  return s;
}
