/**
 * `POST /v1/trainings` refuses options that do not fit the strategy with 400 `invalid_request` before any job
 * record is written (the job applies the same rules: `optionsProblem` of `@graft/jobs`).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../functions/api/src/index.js';
import { auth, MemoryJobs, MemoryModelSource, RecordingRunner, TOKEN } from './fakes.js';

function setup() {
  const jobs = new MemoryJobs();
  const runner = new RecordingRunner();
  const app = createApp({ models: new MemoryModelSource(), jobs, runner, token: TOKEN });
  const post = (body: unknown) =>
    app.request('/v1/trainings', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { jobs, runner, post };
}

/** Posts `body` (with a data set and model) and expects a 400 `invalid_request` matching `message`, and no job. */
async function expectRefused(body: Record<string, unknown>, message: RegExp): Promise<void> {
  const { jobs, runner, post } = setup();
  const res = await post({ dataset: 'digits', model: 'digits', ...body });
  expect(res.status).toBe(400);
  const error = ((await res.json()) as { error: { code: string; message: string } }).error;
  expect(error.code).toBe('invalid_request');
  expect(error.message).toMatch(message);
  expect(await jobs.get('job-1')).toBeUndefined();
  expect(runner.submitted).toEqual([]);
}

describe('training options are checked against the strategy', () => {
  it.each([
    [
      { strategy: 'scratch', options: { cut: 'block_13_expand_relu' } },
      /options\.cut does not apply to scratch/,
    ],
    [{ strategy: 'auto', options: { cut: 'block_13_expand_relu' } }, /options\.cut does not apply to auto/],
    [
      { strategy: 'feature-extraction', options: { upper: 'replace' } },
      /options\.upper applies to freeze-k only/,
    ],
    [{ strategy: 'freeze-k', options: { budgetSeconds: 60 } }, /options\.budgetSeconds applies to auto only/],
    [{ strategy: 'auto', options: { architecture: 'mnist-cnn' } }, /apply to develop only/],
    [{ strategy: 'auto', options: { head: { grid: 3 } } }, /head\.grid does not apply to auto/],
    [
      { strategy: 'freeze-k', options: { upper: 'retrain', head: { grid: 3 } } },
      /head\.grid applies to new heads over stored activations only/,
    ],
    [{ strategy: 'feature-extraction', options: { head: { grid: 9 } } }, /grid/],
    [
      { strategy: 'feature-extraction', options: { crossValidate: true } },
      /options\.crossValidate applies to auto only/,
    ],
    [{ strategy: 'auto', options: { crossValidate: 'yes' } }, /crossValidate/],
  ])('%j → 400', async (body, message) => {
    await expectRefused(body, message);
  });

  it('accepts options that fit (feature extraction with a cut, heads on pooling grids, auto with a budget, develop, promote always)', async () => {
    const { runner, post } = setup();
    for (const body of [
      { strategy: 'feature-extraction', options: { cut: 'block_16_project_BN' } },
      { strategy: 'feature-extraction', options: { head: { grid: 3 } } },
      { strategy: 'freeze-k', options: { upper: 'replace', head: { grid: 2 } } },
      { strategy: 'auto', options: { budgetSeconds: 0, crossValidate: false }, promote: 'always' },
      { strategy: 'develop', options: { architecture: 'mnist-cnn', inputSize: 28 } },
    ]) {
      const res = await post({ dataset: 'digits', model: 'digits', ...body });
      expect(res.status).toBe(202);
    }
    expect(runner.submitted).toHaveLength(5);
  });

  it('refuses an unknown promote policy and a negative budget with the schema', async () => {
    const { post } = setup();
    expect((await post({ dataset: 'd', model: 'm', promote: 'sometimes' })).status).toBe(400);
    expect((await post({ dataset: 'd', model: 'm', options: { budgetSeconds: -1 } })).status).toBe(400);
  });

  it.each([
    [{ options: { epochs: 1_000_000_000, batchSize: 1 } }, /options\.epochs/],
    [{ options: { batchSize: 0 } }, /options\.batchSize/],
    [{ options: { learningRate: 'x' } }, /options\.learningRate/],
    [{ options: { learningRate: -1 } }, /options\.learningRate/],
    [{ strategy: 'freeze-k', options: { cut: '../../etc/passwd' } }, /options\.cut/],
    [{ options: { head: { hidden: 1e8 } } }, /options\.head\.hidden/],
    [{ options: { head: { dropout: 1 } } }, /options\.head\.dropout/],
    [{ options: { timeLimitSeconds: 1e9 } }, /options\.timeLimitSeconds/],
    [{ options: { budgetSeconds: 1e9 } }, /options\.budgetSeconds/],
    [{ options: { validation: 1 } }, /options\.validation/],
    [{ options: { classWeights: [1, Number.NaN] } }, /options\.classWeights/],
    [{ options: { surprise: true } }, /surprise/],
    [{ extra: 1 }, /extra/],
  ])('types, ranges and budgets: %j → 400 before any record', async (body, message) => {
    await expectRefused(body, message);
  });
});
