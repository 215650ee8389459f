import { ConfigError } from './errors.js';
import type { JobRunner } from './ports.js';

/**
 * The job runner of a deployment that cannot start training jobs (no AWS Batch configured, or the edge build):
 * `POST /v1/trainings` answers the typed `ConfigError`.
 *
 * @example
 * ```ts
 * createStoreApp(store, { runner: noJobRunner('no job runner at the edge'), token });
 * ```
 */
export function noJobRunner(message: string): JobRunner {
  return {
    submit: async () => {
      throw new ConfigError(message);
    },
  };
}
