import { type Bundle, bundleToFiles } from '@graft/core';
import type { ModelRegistry } from '@graft/storage';

/**
 * Publishes a bundle and its report as the next immutable version of a model; the registry writes the
 * serving pointer (`current.json`) last, so readers never see a half-written version.
 *
 * @example
 * ```ts
 * const version = await publishVersion(registry, 'digits', bundle, report);
 * ```
 */
export async function publishVersion(
  registry: ModelRegistry,
  model: string,
  bundle: Bundle,
  report: Record<string, unknown>,
): Promise<number> {
  const files = await bundleToFiles(bundle);
  return registry.publish(model, { ...files, report: JSON.stringify(report) });
}
