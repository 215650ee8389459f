import { BatchClient, SubmitJobCommand, TerminateJobCommand } from '@aws-sdk/client-batch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsBatchJobRunner, batchJobName } from '../../../functions/api/src/index.js';

const batch = mockClient(BatchClient);
afterEach(() => batch.reset());

describe('AwsBatchJobRunner', () => {
  it('submits one Batch job carrying the Graft job id', async () => {
    batch.on(SubmitJobCommand).resolves({ jobId: 'batch-123', jobName: 'graft-job-1' });
    const runner = new AwsBatchJobRunner(
      new BatchClient({ region: 'eu-west-1' }),
      'gpu-queue',
      'graft-finetune:3',
    );
    await runner.submit('01J0ABC');
    const calls = batch.commandCalls(SubmitJobCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      jobName: 'graft-01J0ABC',
      jobQueue: 'gpu-queue',
      jobDefinition: 'graft-finetune:3',
      parameters: { jobId: '01J0ABC' },
      containerOverrides: { environment: [{ name: 'GRAFT_JOB_ID', value: '01J0ABC' }] },
      tags: { 'graft:job': '01J0ABC' },
      propagateTags: true,
    });
    expect(runner.batchJobIds.get('01J0ABC')).toBe('batch-123');
  });

  it('propagates a Batch rejection', async () => {
    batch.on(SubmitJobCommand).rejects(new Error('ClientException: job queue gpu-queue is DISABLED'));
    const runner = new AwsBatchJobRunner(new BatchClient({ region: 'eu-west-1' }), 'gpu-queue', 'def');
    await expect(runner.submit('x')).rejects.toThrow(/DISABLED/);
  });

  it('cancel terminates the Batch job named in the record, or the one it submitted itself', async () => {
    batch.on(SubmitJobCommand).resolves({ jobId: 'batch-1' });
    batch.on(TerminateJobCommand).resolves({});
    const runner = new AwsBatchJobRunner(new BatchClient({ region: 'eu-west-1' }), 'gpu-queue', 'def');
    expect(await runner.submit('mine')).toEqual({ runnerJobId: 'batch-1' });
    await runner.cancel('mine');
    await runner.cancel('other', 'batch-2');
    await runner.cancel('unknown');
    expect(batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input)).toEqual([
      { jobId: 'batch-1', reason: 'Graft job mine cancelled' },
      { jobId: 'batch-2', reason: 'Graft job other cancelled' },
    ]);
  });

  it('makes a valid Batch job name of any id', () => {
    expect(batchJobName('a/b c.d')).toBe('graft-a_b_c_d');
    expect(batchJobName('x'.repeat(300))).toHaveLength(128);
  });
});
