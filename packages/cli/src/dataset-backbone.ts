import { type BackboneManifest, BackboneNotFoundError, type BackboneRegistry } from '@graft/backbones';
import type { Flags } from './command.js';
import { UsageError } from './errors.js';
import { intFlag } from './flags.js';

/**
 * The backbone, input size and cut a data set is imported with: `--backbone` (default `mobilenet_v2`), and
 * `--input-size` / `--cut` defaulting to the backbone's manifest. Checked against the registry before anything is
 * uploaded: an unknown backbone, a size it cannot be rebuilt for or a cut it does not have is a usage error.
 *
 * @example
 * ```ts
 * const config = await datasetBackbone(registry, flags); // { backbone: 'mobilenet_v2', inputSize: 96, cut: 'block_13_expand_relu' }
 * ```
 */
export async function datasetBackbone(
  registry: BackboneRegistry,
  flags: Flags,
): Promise<{ backbone: string; inputSize: number; cut: string }> {
  const id = String(flags.backbone ?? 'mobilenet_v2');
  let manifest: BackboneManifest;
  try {
    manifest = await registry.get(id);
  } catch (error) {
    if (!(error instanceof BackboneNotFoundError)) throw error;
    const known = (await registry.list()).map((m) => m.id).join(', ');
    throw new UsageError(`unknown backbone '${id}' (registered: ${known}; add one with graft backbone add)`);
  }
  const inputSize = intFlag(flags, 'input-size', manifest.defaultInputSize);
  if (!manifest.inputSizes.includes(inputSize))
    throw new UsageError(`--input-size ${inputSize}: '${id}' runs at ${manifest.inputSizes.join(', ')}`);
  const cut = String(flags.cut ?? manifest.defaultCut);
  if (!manifest.cuts.some((c) => c.name === cut))
    throw new UsageError(
      `--cut '${cut}' is not a cut of '${id}' (cuts: ${manifest.cuts.map((c) => c.name).join(', ')})`,
    );
  return { backbone: id, inputSize, cut };
}
