import { type Backbone, type CutPoint, gridPooling } from '@graft/core';
import type { Decision } from './decide.js';

/**
 * The pooling grid of the race's region candidate. Measured on Fashion-MNIST (6,000 / 2,000 images, 96 px, heads on
 * `block_13_expand_relu`, 6 × 6 × 576): global average 0.858, 2 × 2 regions 0.862, 3 × 3 0.879, the whole map
 * flattened (6 × 6) 0.854; on `block_6_expand_relu` (12 × 12 × 192) global 0.832, 3 × 3 0.880.
 */
export const REGION_GRID = 3;

/**
 * One contender of `auto`'s race: a decision the job can train, what it is called in the report, whether the
 * advisor picked it, and whether it is cheap (a new head over stored activations, seconds) or expensive (conv
 * layers retrained or every layer trained: minutes, within the budget only).
 */
export interface Candidate {
  name: string;
  decision: Decision;
  advised: boolean;
  cost: 'cheap' | 'expensive';
}

/**
 * The race of an `auto` job: new heads on the pooled activations at the backbone's candidate cuts at or above the
 * data set's stored cut — the stored cut itself, the widest cut of each deeper resolution (the layer most
 * likely to still be general before the network narrows), the last layer whose weights are the source's own
 * when it lies above the stored cut — plus feature extraction on the pooled output, and the advisor's pick (cheap
 * when it is one of those; expensive otherwise, and then after the cheap ones: it trains conv layers), then the
 * expensive strategies that {@link mayAlsoWin} in the advisor's scenario. Cuts below the stored one cannot be
 * reached: their activations were never stored.
 *
 * @example
 * ```ts
 * const candidates = raceCandidates({ backbone, storedCut: 'block_13_expand_relu', advised: decision });
 * candidates.map((c) => c.name); // ['pooled head at block_13_expand_relu', …, 'feature extraction']
 * ```
 */
export function raceCandidates(args: {
  backbone: Backbone;
  storedCut: string;
  advised: Decision;
}): Candidate[] {
  const { backbone, storedCut, advised } = args;
  const stored = backbone.cuts.find((c) => c.name === storedCut);
  const spatial = backbone.cuts.filter((c) => c.outputShape.length === 3 && c.index >= (stored?.index ?? 0));
  const last = spatial.at(-1);
  const picks = new Map<string, CutPoint>();
  if (stored && stored.outputShape.length === 3) picks.set(stored.name, stored);
  const sourceTop = spatial.filter((c) => c.imagenet).at(-1);
  if (sourceTop) picks.set(sourceTop.name, sourceTop);
  // The last spatial cut pooled is what feature extraction reads: leave it to that candidate.
  const below = spatial.length > 1 ? spatial.filter((c) => c !== last) : spatial;
  for (const level of new Set(below.map((c) => c.outputShape[0]))) {
    const widest = below
      .filter((c) => c.outputShape[0] === level)
      .reduce((best, c) => (c.outputShape[2]! >= best.outputShape[2]! ? c : best));
    picks.set(widest.name, widest);
  }
  const advisedCheap = isCheap(advised);
  const pooledAt = (cut: CutPoint, grid?: number): Candidate => {
    const decision: Decision = {
      strategy: 'freeze-k',
      cut: cut.name,
      upper: 'replace',
      ...(grid ? { grid } : {}),
      explanation: '',
    };
    return { name: describe(decision), decision, advised: false, cost: 'cheap' as const };
  };
  const pooled: Candidate[] = [...picks.values()]
    .sort((a, b) => a.index - b.index)
    .map((cut) => pooledAt(cut));
  // Where on the map a feature fired matters for some data (clothes, digits: shapes at set places): the stored
  // cut's activations averaged over a grid of regions instead of the whole map.
  if (stored && gridPooling(stored.outputShape, REGION_GRID)) pooled.push(pooledAt(stored, REGION_GRID));
  const features: Candidate = {
    name: 'feature extraction',
    decision: { strategy: 'feature-extraction', explanation: '' },
    advised: false,
    cost: 'cheap',
  };
  const cheap = [...pooled, features];
  const same = advisedCheap ? cheap.find((c) => sameTraining(c.decision, advised, storedCut)) : undefined;
  if (same) same.advised = true;
  const advisedCandidate: Candidate[] =
    same !== undefined
      ? []
      : [
          {
            name: describe(advised),
            decision: advised,
            advised: true,
            cost: advisedCheap ? 'cheap' : 'expensive',
          },
        ];
  const alternatives: Candidate[] = mayAlsoWin(advised)
    .filter((d) => d.strategy !== advised.strategy)
    .map((decision) => ({ name: describe(decision), decision, advised: false, cost: 'expensive' as const }));
  // Cheap first (each a new head: the backbone stays as loaded), then the expensive pick, then the alternatives.
  return [...cheap, ...advisedCandidate, ...alternatives].sort(
    (a, b) => Number(a.cost === 'expensive') - Number(b.cost === 'expensive'),
  );
}

/**
 * The expensive strategies that may beat the advisor's pick in its scenario, and so join the race when the
 * budget allows: when the data are unlike the source (scenarios 2 and 3), fine-tuning every layer from the
 * pretrained weights at a low rate adapts the early filters that the cheap heads must keep (measured: small ×
 * different on a developed source, fine-tune 0.860 against the pooled heads' 0.829). Scenario 1 keeps the source's
 * features (nothing to gain from moving them on a few images); scenario 4's pick is already fine-tune.
 *
 * @example
 * ```ts
 * mayAlsoWin({ strategy: 'freeze-k', scenario: 2, explanation: '' }).map((d) => d.strategy); // ['fine-tune']
 * ```
 */
export function mayAlsoWin(advised: Decision): Decision[] {
  const scenario = advised.scenario ?? advised.advice?.scenario;
  if (scenario === 2 || scenario === 3) return [{ strategy: 'fine-tune', explanation: '' }];
  return [];
}

/** A head over stored activations: feature extraction, or freeze-k replacing the layers above its cut. */
export function isCheap(decision: Decision): boolean {
  return (
    decision.strategy === 'feature-extraction' ||
    (decision.strategy === 'freeze-k' && decision.upper === 'replace')
  );
}

function sameTraining(a: Decision, b: Decision, storedCut: string): boolean {
  if (a.strategy !== b.strategy || (a.grid ?? 1) !== (b.grid ?? 1)) return false;
  if (a.strategy === 'feature-extraction') return true;
  const cutOf = (d: Decision) => d.cut ?? d.advice?.cut ?? storedCut;
  return cutOf(a) === cutOf(b) && a.upper === b.upper;
}

/**
 * What a decision trains, in words (the race's names).
 *
 * @example
 * ```ts
 * describe({ strategy: 'freeze-k', cut: 'block_16_project_BN', upper: 'retrain', explanation: '' });
 * // 'retrain the layers above block_16_project_BN'
 * ```
 */
export function describe(decision: Decision): string {
  const cut = decision.cut ?? decision.advice?.cut;
  const regions = decision.grid && decision.grid > 1 ? ` on ${decision.grid} × ${decision.grid} regions` : '';
  if (decision.strategy === 'feature-extraction') return `feature extraction${regions}`;
  if (decision.strategy === 'freeze-k')
    return decision.upper === 'replace'
      ? `pooled head at ${cut}${regions}`
      : `retrain the layers above ${cut}`;
  return decision.strategy === 'fine-tune' ? 'fine-tune every layer' : 'train the architecture from scratch';
}
