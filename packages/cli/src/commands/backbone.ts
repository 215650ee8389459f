import type { Command } from '../command.js';
import { connectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';
import { addBackbone } from './backbone/add.js';
import { inspectBackboneCommand } from './backbone/inspect.js';
import { listBackbones } from './backbone/list.js';

const SUBCOMMANDS = { inspect: inspectBackboneCommand, list: listBackbones, add: addBackbone };

/**
 * `graft backbone list|inspect|add` — the backbones of the running Graft (`backbones/` in its bucket, plus the
 * bundled mobilenet_v2), and the layers of the bundled model or a model folder.
 */
export const backboneCommand: Command = {
  summary: 'List, inspect and add backbones (the source models data sets are extracted with).',
  usage: [
    'graft backbone list [--json]',
    'graft backbone inspect <id> [--json]                                   the manifest of a backbone',
    'graft backbone inspect [--dir <model dir>] [--input-size 224] [--json] layers, shapes, parameters and cuts',
    'graft backbone add --id <id> --dir <tfjs layers-model folder> [--json]',
    'graft backbone add --id <id> --url <model.json URL on the API’s allow-list> [--json]',
    'graft backbone add --id <id> --from-model <model>[@<version>] [--json]',
  ].join('\n       '),
  options: {
    ...connectionOptions,
    backbone: { type: 'string' },
    dir: { type: 'string' },
    'input-size': { type: 'string' },
    id: { type: 'string' },
    url: { type: 'string' },
    'from-model': { type: 'string' },
  },
  async run(args) {
    const sub = args.positionals[0] ?? '';
    if (!Object.hasOwn(SUBCOMMANDS, sub)) throw new UsageError(`expected list, inspect or add, got '${sub}'`);
    return SUBCOMMANDS[sub as keyof typeof SUBCOMMANDS](args);
  },
};
