import type { BackboneManifest } from '@graft/backbones';
import type { Output } from '../../output.js';

/**
 * Prints a manifest: a few lines for people, then the manifest itself as the result (the `--json` last line).
 *
 * @example
 * ```ts
 * printManifest(await registry.get('mobilenet_v2'), out);
 * ```
 */
export function printManifest(manifest: BackboneManifest, out: Output): void {
  if (!out.json) {
    out.info(
      `${manifest.id} (${manifest.name}, ${manifest.provenance.kind}): ${manifest.parameters} parameters`,
    );
    out.info(`input sizes ${manifest.inputSizes.join(', ')} (default ${manifest.defaultInputSize})`);
    out.info(`cuts: ${manifest.cuts.map((c) => `${c.name} ${JSON.stringify(c.outputShape)}`).join(', ')}`);
    out.info(`default cut ${manifest.defaultCut}`);
  }
  out.result({ ...manifest });
}
