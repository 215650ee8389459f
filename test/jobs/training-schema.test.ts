/**
 * The one training-request schema the API and the job share: what it accepts, what it refuses, and the budget of
 * epochs × images the job checks once it has counted the images.
 */
import { describe, expect, it } from 'vitest';
import {
  epochBudgetProblem,
  TRAINING_LIMITS,
  TrainingSpecSchema,
  trainingSpecProblem,
} from '../../packages/jobs/src/index.js';

describe('TrainingSpecSchema', () => {
  it('accepts a full valid request and defaults the strategy', () => {
    const spec = TrainingSpecSchema.parse({
      dataset: 'digits',
      model: 'digits-v2',
      options: {
        optimizer: 'adam',
        learningRate: 1e-3,
        epochs: 5,
        batchSize: 32,
        validation: 0.2,
        earlyStopping: { patience: 3, monitor: 'loss' },
        reduceLearningRate: { patience: 2, factor: 0.5 },
        classWeights: 'balanced',
        augmentation: { flip: true, shift: 0.1, zoom: 0.1 },
        head: { hidden: 128, dropout: 0.2 },
        seed: 7,
        timeLimitSeconds: 60,
        budgetSeconds: 0,
      },
    });
    expect(spec.strategy).toBe('auto');
    expect(trainingSpecProblem(spec)).toBeUndefined();
  });

  it('takes an earlyStopping that names only its monitor (the strategy keeps its patience)', () => {
    expect(
      trainingSpecProblem({ dataset: 'd', model: 'm', options: { earlyStopping: { monitor: 'accuracy' } } }),
    ).toBeUndefined();
  });

  it.each([
    [{ dataset: 'd', model: 'a..' }, /^model:/],
    [{ dataset: 'd', model: 'm', strategy: 'freeze-k', options: { cut: 'a/b' } }, /^options\.cut:/],
    [{ dataset: 'd', model: 'm', options: { epochs: TRAINING_LIMITS.maxEpochs + 1 } }, /^options\.epochs:/],
    [
      { dataset: 'd', model: 'm', options: { reduceLearningRate: { patience: 2, factor: 1 } } },
      /^options\.reduceLearningRate\.factor:/,
    ],
    [
      { dataset: 'd', model: 'm', options: { earlyStopping: { patience: 2, monitor: 'f1' } } },
      /^options\.earlyStopping\.monitor:/,
    ],
    [{ dataset: 'd', model: 'm', options: { epochs: 2.5 } }, /^options\.epochs:/],
    [{ dataset: 'd', model: 'm', strategy: 'scratch', options: { upper: 'replace' } }, /freeze-k only/],
    ['not an object', /expected object/],
  ])('refuses %j (the job refuses such a record too)', (spec, message) => {
    expect(trainingSpecProblem(spec)).toMatch(message);
  });
});

describe('epochBudgetProblem', () => {
  it('allows epochs × images up to the budget and refuses more', () => {
    expect(epochBudgetProblem(100, TRAINING_LIMITS.maxEpochImages / 100)).toBeUndefined();
    expect(epochBudgetProblem(1000, 60_000)).toMatch(/over the budget/);
  });
});
