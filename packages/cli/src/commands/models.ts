import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';

/** `graft models [name]` — the models, or one model's versions, metrics and serving version. */
export const modelsCommand: Command = {
  summary: "List models, or show one model's versions, metrics and serving version.",
  usage: 'graft models [<name>] [--json]',
  options: { ...connectionOptions },
  async run({ flags, positionals, out }) {
    const { api } = await connect(flags);
    const name = positionals[0];
    const value = await api.json<Record<string, unknown>>(
      'GET',
      name ? `/v1/models/${encodeURIComponent(name)}` : '/v1/models',
    );
    out.result(value);
    return 0;
  },
};
