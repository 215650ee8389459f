import { type BackboneManifest, BackboneRegistry, sourceFromDir } from '@graft/backbones';
import { initBackend } from '@graft/runtime';
import { withBucket } from '../../bucket.js';
import type { Command, Flags } from '../../command.js';
import { connect } from '../../connection.js';
import { UsageError } from '../../errors.js';
import { printManifest } from './print.js';

/** `--from-model name[@version]` as the API's `from`. */
function parseFromModel(value: string): { model: string; version?: number } {
  const [model, version, ...rest] = value.split('@');
  if (!model || rest.length > 0 || (version !== undefined && !/^[1-9]\d*$/.test(version)))
    throw new UsageError(`--from-model expects <model>[@<version>], got '${value}'`);
  return version === undefined ? { model } : { model, version: Number(version) };
}

/** Registers a folder straight into the running Graft's bucket (validated here, by loading it). */
async function addFolder(flags: Flags, id: string, dir: string): Promise<BackboneManifest> {
  await initBackend();
  const source = await sourceFromDir(dir);
  return withBucket(
    flags,
    async (store) => (await new BackboneRegistry(store).add({ id, ...source })).manifest,
  );
}

/**
 * `graft backbone add --id ID (--dir PATH | --url URL | --from-model NAME[@VERSION])` — registers a backbone:
 * a tfjs layers-model folder is written to the running Graft's bucket by this process; a URL (on the API's
 * allow-list) or a published model version is registered by the API (`POST /v1/backbones`). The `--json` last
 * line is the manifest.
 *
 * @example
 * ```ts
 * await addBackbone({ flags: { id: 'digits-cnn', dir: './digits-cnn', json: true }, positionals: ['add'], out });
 * ```
 */
export const addBackbone: Command['run'] = async ({ flags, out }) => {
  const id = flags.id as string | undefined;
  if (!id) throw new UsageError('--id <id> is required');
  const sources = (['dir', 'url', 'from-model'] as const).filter((f) => flags[f] !== undefined);
  if (sources.length !== 1) throw new UsageError('give exactly one of --dir, --url or --from-model');
  let manifest: BackboneManifest;
  if (flags.dir !== undefined) manifest = await addFolder(flags, id, String(flags.dir));
  else {
    const { api } = await connect(flags);
    const body =
      flags.url !== undefined
        ? { id, url: String(flags.url) }
        : { id, from: parseFromModel(String(flags['from-model'])) };
    manifest = await api.json<BackboneManifest>('POST', '/v1/backbones', body);
  }
  printManifest(manifest, out);
  return 0;
};
