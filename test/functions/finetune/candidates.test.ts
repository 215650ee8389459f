/**
 * Who races in an `auto` job: the cheap heads over stored activations, the advisor's pick, and the expensive
 * strategies that may beat it in its scenario (on the real bundled MobileNetV2's cut points).
 */
import { type Backbone, loadBackbone } from '@graft/core';
import { initBackend } from '@graft/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { mayAlsoWin, raceCandidates } from '../../../functions/finetune/src/candidates.js';
import type { Decision } from '../../../functions/finetune/src/decide.js';

let backbone: Backbone;

beforeAll(async () => {
  await initBackend();
  backbone = await loadBackbone({ kind: 'default' }, { inputSize: 96 });
});

const advised = (
  scenario: 1 | 2 | 3 | 4,
  decision: Omit<Decision, 'explanation' | 'scenario'>,
): Decision => ({
  ...decision,
  scenario,
  explanation: '',
});

describe('raceCandidates', () => {
  it('small and different: the pooled heads, feature extraction, then fine-tune (expensive, last)', () => {
    const pick = advised(2, { strategy: 'freeze-k', cut: 'block_13_expand_relu', upper: 'replace' });
    const race = raceCandidates({ backbone, storedCut: 'block_13_expand_relu', advised: pick });
    expect(race.at(-1)).toMatchObject({ name: 'fine-tune every layer', cost: 'expensive', advised: false });
    expect(race.filter((c) => c.advised)).toHaveLength(1);
    expect(race.filter((c) => c.cost === 'expensive')).toHaveLength(1);
    expect(race.map((c) => c.name)).toContain('feature extraction');
    // The stored cut's activations are raced pooled globally (the advisor's pick here) and over 3 × 3 regions.
    const atStored = race.filter((c) => c.decision.cut === 'block_13_expand_relu');
    expect(atStored.map((c) => [c.name, c.advised, c.decision.grid])).toEqual([
      ['pooled head at block_13_expand_relu', true, undefined],
      ['pooled head at block_13_expand_relu on 3 × 3 regions', false, 3],
    ]);
  });

  it('small and different with the advisor retraining conv layers: its pick first, then fine-tune', () => {
    const pick = advised(2, { strategy: 'freeze-k', cut: 'block_16_project_BN', upper: 'retrain' });
    const race = raceCandidates({ backbone, storedCut: 'block_13_expand_relu', advised: pick });
    expect(race.filter((c) => c.cost === 'expensive').map((c) => c.name)).toEqual([
      'retrain the layers above block_16_project_BN',
      'fine-tune every layer',
    ]);
  });

  it('large and different: scratch as advised, and fine-tune', () => {
    const race = raceCandidates({
      backbone,
      storedCut: 'block_13_expand_relu',
      advised: advised(3, { strategy: 'scratch' }),
    });
    expect(race.filter((c) => c.cost === 'expensive').map((c) => [c.name, c.advised])).toEqual([
      ['train the architecture from scratch', true],
      ['fine-tune every layer', false],
    ]);
  });

  it('similar to the source: no other expensive candidate than the pick', () => {
    expect(mayAlsoWin(advised(1, { strategy: 'feature-extraction' }))).toEqual([]);
    const race = raceCandidates({
      backbone,
      storedCut: 'block_13_expand_relu',
      advised: advised(4, { strategy: 'fine-tune' }),
    });
    expect(race.filter((c) => c.cost === 'expensive').map((c) => c.name)).toEqual(['fine-tune every layer']);
  });
});
