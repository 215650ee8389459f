/** What a job trains with: the decided strategy's defaults, then what the job asked for. */
import { describe, expect, it } from 'vitest';
import { trainOptionsFor } from '../../../functions/finetune/src/strategy-defaults.js';

describe('trainOptionsFor', () => {
  it("fills a requested earlyStopping's missing patience from the strategy's defaults", () => {
    expect(
      trainOptionsFor({ strategy: 'scratch', explanation: '' }, { earlyStopping: { monitor: 'accuracy' } })
        .earlyStopping,
    ).toEqual({ patience: 4, monitor: 'accuracy' });
    expect(
      trainOptionsFor(
        { strategy: 'freeze-k', upper: 'replace', explanation: '' },
        { earlyStopping: { monitor: 'accuracy' } },
      ).earlyStopping,
    ).toEqual({ patience: 8, monitor: 'accuracy' });
  });

  it('keeps an explicit patience, and the strategy’s own when nothing is asked', () => {
    expect(
      trainOptionsFor({ strategy: 'scratch', explanation: '' }, { earlyStopping: { patience: 9 } })
        .earlyStopping,
    ).toEqual({ patience: 9 });
    expect(trainOptionsFor({ strategy: 'scratch', explanation: '' }, {}).earlyStopping).toEqual({
      patience: 4,
    });
  });
});
