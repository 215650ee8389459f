import type { tf } from '@graft/runtime';
import { InvalidModelError } from './errors.js';

/** A Keras layer entry of a model.json topology. */
export interface KerasLayerJson {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name?: string };
  inbound_nodes?: unknown[];
}

interface KerasModelJson {
  class_name: string;
  config: { layers?: KerasLayerJson[]; input_layers?: unknown[]; output_layers?: unknown[]; name?: string };
}

/** Layer classes that make up a classifier head (stripped when looking for the features layer). */
const HEAD = new Set([
  'Dense',
  'Dropout',
  'Flatten',
  'Softmax',
  'Activation',
  'Reshape',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
]);
const POOLING = new Set(['AveragePooling2D', 'MaxPooling2D']);

/**
 * Returns the `model_config` of a Keras topology (whether or not it is wrapped), or throws.
 *
 * @example
 * ```ts
 * const config = modelConfig(artifacts.modelTopology);
 * ```
 */
export function modelConfig(topology: unknown): KerasModelJson {
  const t = topology as { model_config?: KerasModelJson } & KerasModelJson;
  const config = t && typeof t === 'object' ? (t.model_config ?? t) : undefined;
  if (!config || !Array.isArray(config.config?.layers)) {
    throw new InvalidModelError('model topology is not a Keras LayersModel (no model_config.config.layers)');
  }
  if (
    config.class_name !== 'Model' &&
    config.class_name !== 'Functional' &&
    config.class_name !== 'Sequential'
  ) {
    throw new InvalidModelError(`unsupported model class '${config.class_name}'`);
  }
  return config;
}

function layerName(layer: KerasLayerJson): string {
  return String(layer.config.name ?? layer.name);
}

function inboundNames(layer: KerasLayerJson): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (!Array.isArray(v)) return;
    if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
    else for (const item of v) walk(item);
  };
  walk(layer.inbound_nodes ?? []);
  return names;
}

/**
 * Guesses the features layer of a model: walks back from the output over the classifier head
 * (Dense, Dropout, Flatten, global pooling, and a pooling layer directly before a Flatten).
 *
 * @example
 * ```ts
 * guessFeaturesLayer(topology); // 'out_relu' for the nsfwjs MobileNetV2
 * ```
 */
export function guessFeaturesLayer(topology: unknown): string {
  const config = modelConfig(topology);
  const layers = config.config.layers ?? [];
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  let current: KerasLayerJson | undefined =
    config.class_name === 'Sequential' ? layers.at(-1) : byName.get(firstOutput(config));
  let previous: string | undefined;
  while (current) {
    const cls = current.class_name;
    const strip = HEAD.has(cls) || (POOLING.has(cls) && previous === 'Flatten');
    if (!strip) return layerName(current);
    previous = cls;
    if (config.class_name === 'Sequential') {
      current = layers[layers.indexOf(current) - 1];
    } else {
      const parents = inboundNames(current);
      if (parents.length !== 1) return layerName(current);
      current = byName.get(parents[0]!);
    }
  }
  throw new InvalidModelError('could not find a features layer below the classifier head');
}

function firstOutput(config: KerasModelJson): string {
  const out = config.config.output_layers?.[0];
  if (!Array.isArray(out) || typeof out[0] !== 'string')
    throw new InvalidModelError('model has no output layer');
  return out[0];
}

/** Reads the input size (height) of a topology; undefined when unknown. */
export function topologyInputSize(topology: unknown): { size?: number; channels?: number } {
  const config = modelConfig(topology);
  const first = config.config.layers?.[0];
  const shape = first?.config.batch_input_shape as (number | null)[] | undefined;
  if (!Array.isArray(shape) || shape.length !== 4) return {};
  return { size: shape[1] ?? undefined, channels: shape[3] ?? undefined };
}

/**
 * Returns a copy of the artifacts whose topology ends at `featuresLayer` (only its ancestors kept), with the
 * input size rewritten when asked, and the weight specs/data reduced to the kept layers.
 *
 * @example
 * ```ts
 * const cut = truncateArtifacts(artifacts, { featuresLayer: 'out_relu', inputSize: 96 });
 * const model = await tf.loadLayersModel(tf.io.fromMemory(cut));
 * ```
 */
export function truncateArtifacts(
  artifacts: tf.io.ModelArtifacts,
  options: { featuresLayer: string; inputSize?: number },
): tf.io.ModelArtifacts {
  const topology = structuredClone(artifacts.modelTopology) as Record<string, unknown>;
  const config = modelConfig(topology);
  const layers = config.config.layers ?? [];
  const byName = new Map(layers.map((l) => [layerName(l), l]));
  if (!byName.has(options.featuresLayer)) {
    throw new InvalidModelError(`features layer '${options.featuresLayer}' does not exist in the model`);
  }
  let kept: KerasLayerJson[];
  if (config.class_name === 'Sequential') {
    kept = layers.slice(0, layers.indexOf(byName.get(options.featuresLayer)!) + 1);
  } else {
    const keep = new Set<string>();
    const stack = [options.featuresLayer];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (keep.has(name)) continue;
      keep.add(name);
      const layer = byName.get(name);
      if (!layer) throw new InvalidModelError(`layer '${name}' is referenced but not defined`);
      stack.push(...inboundNames(layer));
    }
    kept = layers.filter((l) => keep.has(layerName(l)));
    config.config.output_layers = [[options.featuresLayer, 0, 0]];
  }
  config.config.layers = kept;
  if (options.inputSize !== undefined) {
    const first = kept[0];
    const shape = first?.config.batch_input_shape as (number | null)[] | undefined;
    if (!first || !Array.isArray(shape) || shape.length !== 4) {
      throw new InvalidModelError('cannot change the input size: first layer has no 4-D batch_input_shape');
    }
    first.config.batch_input_shape = [
      shape[0] ?? null,
      options.inputSize,
      options.inputSize,
      shape[3] ?? null,
    ];
  }
  const keptNames = new Set(kept.map(layerName));
  const weights = selectWeights(artifacts, (specName) => keptNames.has(specName.split('/')[0] ?? ''));
  return { ...artifacts, modelTopology: topology, ...weights };
}

const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

/** Byte length of one weight entry as stored (quantised entries use their quantised dtype). */
export function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = BYTES[dtype];
  if (size === undefined)
    throw new InvalidModelError(`unsupported weight dtype '${dtype}' for '${spec.name}'`);
  return spec.shape.reduce((a, b) => a * b, 1) * size;
}

/**
 * Keeps only the weight entries whose names pass `keep`, slicing the concatenated weight data to match.
 *
 * @example
 * ```ts
 * const { weightSpecs, weightData } = selectWeights(artifacts, (name) => !name.startsWith('dense'));
 * ```
 */
export function selectWeights(
  artifacts: tf.io.ModelArtifacts,
  keep: (name: string) => boolean,
): { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const specs = artifacts.weightSpecs ?? [];
  const data = concatData(artifacts.weightData);
  const total = specs.reduce((n, s) => n + specBytes(s), 0);
  if (total !== data.byteLength) {
    throw new InvalidModelError(`weight data has ${data.byteLength} bytes, the manifest describes ${total}`);
  }
  const kept: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of specs) {
    const n = specBytes(spec);
    if (keep(spec.name)) {
      kept.push(spec);
      parts.push(new Uint8Array(data, offset, n));
    }
    offset += n;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return { weightSpecs: kept, weightData: out.buffer };
}

/** Concatenates tfjs weight data (one buffer or a list of shards) into one ArrayBuffer. */
export function concatData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const out = new Uint8Array(data.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}
