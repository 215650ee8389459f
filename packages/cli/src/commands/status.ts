import type { TrainingJob } from '@graft/jobs';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';

/** `graft status [job]` — a training job's status and progress, or the API's readiness. */
export const statusCommand: Command = {
  summary: "Show a training job's status and progress, or what the API is serving.",
  usage: 'graft status [<job id>] [--json]',
  options: { ...connectionOptions },
  async run({ flags, positionals, out }) {
    const { api } = await connect(flags);
    const id = positionals[0];
    const value = id
      ? { ...(await api.json<TrainingJob>('GET', `/v1/trainings/${encodeURIComponent(id)}`)) }
      : await api.json<Record<string, unknown>>('GET', '/ready');
    out.result(value);
    return 0;
  },
};
