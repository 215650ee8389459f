import { initBackend, tf } from '@graft/runtime';
import { backboneFromModel } from './backbone-from-model.js';
import { readModelDir } from './dir-source.js';
import { BackboneError, InvalidModelError, UnsupportedInputSizeError } from './errors.js';
import { MOBILENET_V2, MOBILENET_V2_SIZES, nsfwjsMobilenetArtifacts } from './nsfwjs-mobilenet.js';
import { guessFeaturesLayer, modelConfig, topologyInputSize, truncateArtifacts } from './topology.js';
import type {
  Backbone,
  BackboneSource,
  LoadBackboneOptions,
  Preprocessing,
  SourceOverrides,
} from './types.js';
import { fetchModelUrl } from './url-source.js';

/** What a model's own `userDefinedMetadata.graft` may say about it. */
interface StoredMeta {
  name?: string;
  preprocessing?: Preprocessing;
  featuresLayer?: string;
}

/** Preprocessing assumed when neither the source nor the model's metadata says (Keras MobileNet convention). */
const FALLBACK_PREPROCESSING: Preprocessing = { scale: 1 / 127.5, offset: -1 };

async function readArtifacts(source: BackboneSource): Promise<tf.io.ModelArtifacts> {
  switch (source.kind) {
    case 'default':
      return nsfwjsMobilenetArtifacts();
    case 'dir':
      return readModelDir(source.path);
    case 'url':
      return fetchModelUrl(source.url, {
        allow: source.allow,
        lookup: source.lookup,
        maxBytes: source.maxBytes,
      });
    case 'io': {
      if (typeof source.handler?.load !== 'function') throw new InvalidModelError('IOHandler has no load()');
      try {
        return await source.handler.load();
      } catch (cause) {
        if (cause instanceof BackboneError) throw cause;
        throw new InvalidModelError('IOHandler.load() failed', { cause });
      }
    }
    default:
      throw new InvalidModelError(`unknown backbone source kind '${(source as { kind: unknown }).kind}'`);
  }
}

function validPreprocessing(p: unknown): p is Preprocessing {
  const v = p as Preprocessing;
  return !!v && Number.isFinite(v.scale) && v.scale !== 0 && Number.isFinite(v.offset);
}

/**
 * Loads a backbone: the bundled MobileNetV2 (default), a model directory, an allow-listed URL or any tfjs
 * IOHandler. The classifier head is dropped (features = GlobalAveragePooling2D of the last feature map, or the
 * named `featuresLayer`), the model is rebuilt for `inputSize` when asked, all layers are left trainable
 * (freezing is the caller's decision) and the model is warmed up on zeros.
 *
 * @example
 * ```ts
 * const backbone = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
 * console.log(backbone.id); // 'mobilenet_v2-96'
 * ```
 */
export async function loadBackbone(
  source: BackboneSource = { kind: 'default' },
  options: LoadBackboneOptions = {},
): Promise<Backbone> {
  await initBackend();
  const isDefault = source.kind === 'default';
  if (isDefault && options.inputSize !== undefined) {
    if (!(MOBILENET_V2_SIZES as readonly number[]).includes(options.inputSize)) {
      throw new UnsupportedInputSizeError(
        options.inputSize,
        `mobilenet_v2 supports ${MOBILENET_V2_SIZES.join(', ')}`,
      );
    }
  }
  const artifacts = await readArtifacts(source);
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new InvalidModelError('the source is not a Keras LayersModel (no JSON topology)');
  }
  modelConfig(artifacts.modelTopology);
  const stored = ((artifacts.userDefinedMetadata as { graft?: StoredMeta } | undefined)?.graft ??
    {}) as StoredMeta;
  const overrides: SourceOverrides = isDefault ? {} : (source as SourceOverrides);
  const featuresLayer = isDefault
    ? MOBILENET_V2.featuresLayer
    : (overrides.featuresLayer ?? stored.featuresLayer ?? guessFeaturesLayer(artifacts.modelTopology));
  const name = isDefault ? MOBILENET_V2.name : (overrides.name ?? stored.name ?? 'custom');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new InvalidModelError(`invalid backbone name '${name}'`);
  const preprocessing = isDefault
    ? MOBILENET_V2.preprocessing
    : (overrides.preprocessing ??
      (validPreprocessing(stored.preprocessing) ? stored.preprocessing : FALLBACK_PREPROCESSING));
  if (!validPreprocessing(preprocessing)) throw new InvalidModelError('invalid preprocessing');

  const native = topologyInputSize(artifacts.modelTopology);
  const inputSize = options.inputSize ?? native.size;
  if (inputSize === undefined) {
    throw new UnsupportedInputSizeError(
      undefined,
      'the model does not fix its input size: pass options.inputSize',
    );
  }
  if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 2048) {
    throw new UnsupportedInputSizeError(inputSize, 'must be an integer between 8 and 2048');
  }
  const truncated = truncateArtifacts(artifacts, {
    featuresLayer,
    inputSize: inputSize !== native.size ? inputSize : undefined,
  });
  delete (truncated.modelTopology as Record<string, unknown>).training_config;
  truncated.trainingConfig = undefined;

  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(truncated));
  } catch (cause) {
    if (inputSize !== native.size) {
      throw new UnsupportedInputSizeError(inputSize, 'the model cannot be rebuilt for this size', { cause });
    }
    throw new InvalidModelError(`cannot deserialise the model: ${(cause as Error).message}`, { cause });
  }
  for (const layer of model.layers) layer.trainable = true;
  const lastImagenet = isDefault
    ? model.layers.findIndex((l) => l.name === MOBILENET_V2.lastImagenetLayer)
    : -1;
  let backbone: Backbone;
  try {
    backbone = backboneFromModel(model, {
      name,
      featuresLayer,
      preprocessing,
      inputSize,
      ...(lastImagenet >= 0
        ? { pretrainedUpTo: lastImagenet, keepCut: MOBILENET_V2.keepCut }
        : { pretrainedUpTo: overrides.pretrainedUpTo }),
    });
  } catch (error) {
    model.dispose();
    throw error;
  }
  const channels = backbone.inputChannels;
  tf.tidy(() => {
    backbone.model.predict(tf.zeros([1, inputSize, inputSize, channels]));
  });
  return backbone;
}
