import type { tf } from '@graft/runtime';
import type { Backbone } from '../../backbone/index.js';
import type { EpochMetrics } from '../types.js';

/**
 * What a strategy hands back to `train()` (which adds timing, strategy name and hyperparameters).
 *
 * @example
 * ```ts
 * const out: StrategyOutput = { model: head, head, history: [], bestEpoch: 0 };
 * ```
 */
export interface StrategyOutput {
  model: tf.LayersModel;
  head: tf.LayersModel;
  inference?: tf.LayersModel;
  backbone?: Backbone;
  history: EpochMetrics[];
  bestEpoch: number;
}
