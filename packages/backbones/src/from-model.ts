import { parseBundleFiles, truncateArtifacts } from '@graft/core';
import { errorMessage, hasCode } from '@graft/errors';
import { type BlobStore, ModelRegistry } from '@graft/storage';
import { InvalidBackboneError, SourceModelNotFoundError } from './errors.js';
import { checkSourceStats } from './manifest.js';
import type { SourceModel } from './registry.js';

const _text = new TextDecoder();

/** Strategies that train every layer of the network. */
const TRAIN_ALL = new Set(['scratch', 'fine-tune', 'develop']);

async function pickVersion(registry: ModelRegistry, model: string, version?: number): Promise<number> {
  const versions = await registry.listVersions(model);
  if (versions.length === 0)
    throw new SourceModelNotFoundError('model_not_found', `model '${model}' does not exist`);
  const pick = version ?? (await registry.getCurrent(model))?.version ?? versions.at(-1)!;
  if (!versions.includes(pick))
    throw new SourceModelNotFoundError('version_not_found', `model '${model}' has no version ${pick}`);
  return pick;
}

/**
 * A published model version as a model to register: its network minus its classifier head (cut at the features
 * layer its `graft.json` names, the layer before the head), with its input preprocessing. Only versions Graft
 * trained (their `graft.json` names a strategy) qualify: provenance `developed` with the model, version and the
 * data set it was trained on (from its report). The version defaults to the serving one, else the latest.
 *
 * @example
 * ```ts
 * await registry.add({ id: 'digits-v3', ...(await sourceFromModelVersion(store, 'digits', 3)) });
 * ```
 */
export async function sourceFromModelVersion(
  store: BlobStore,
  model: string,
  version?: number,
): Promise<SourceModel> {
  const registry = new ModelRegistry(store);
  const v = await pickVersion(registry, model, version);
  const [files, report] = await Promise.all([
    registry.readBundleFiles(model, v),
    registry
      .readJson<{ dataset?: unknown; sourceStats?: unknown }>(model, v, 'report.json')
      .catch((e: unknown) => {
        if (hasCode(e, 'not_found') || hasCode(e, 'corrupt_data')) return undefined;
        throw e;
      }),
  ]);
  const where = `version ${v} of model '${model}'`;
  let parsed: ReturnType<typeof parseBundleFiles>;
  try {
    parsed = parseBundleFiles(files);
  } catch (cause) {
    throw new InvalidBackboneError(`${where} is not a Graft bundle: ${errorMessage(cause)}`, { cause });
  }
  const { artifacts, meta } = parsed;
  const strategy: unknown = meta.strategy;
  if (typeof strategy !== 'string' || strategy.length === 0)
    throw new InvalidBackboneError(`${where} was not trained by Graft (its graft.json names no strategy)`);
  const featuresLayer = meta.backbone.featuresLayer;
  const preprocessing = { ...meta.input.preprocessing };
  let network: typeof artifacts;
  try {
    network = truncateArtifacts(artifacts, { featuresLayer });
  } catch (cause) {
    throw new InvalidBackboneError(`${where}: ${errorMessage(cause)}`, { cause });
  }
  network.userDefinedMetadata = { graft: { name: meta.backbone.name, featuresLayer, preprocessing } };
  const retrainedAbove = strategy === 'freeze-k' && meta.hyperparameters.upper !== 'replace';
  const dataset = typeof report?.dataset === 'string' ? report.dataset : meta.datasetFingerprint || 'unknown';
  return {
    artifacts: network,
    provenance: { kind: 'developed', model, version: v, dataset },
    // A develop job records how its training images look inside the network: the similarity measure's reference.
    ...(report?.sourceStats === undefined ? {} : { sourceStats: checkSourceStats(report.sourceStats) }),
    hints: {
      name: meta.backbone.name,
      featuresLayer,
      preprocessing,
      ...(retrainedAbove ? { pretrainedUpToLayer: meta.cut } : {}),
      sourceTrainedAll: TRAIN_ALL.has(strategy),
    },
  };
}
