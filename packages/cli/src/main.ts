import { parseArgs } from 'node:util';
import { errorMessage, GraftError } from '@graft/errors';
import type { CommandSet, Flags } from './command.js';
import { createOutput } from './output.js';

/** The product's commands (`graft bench` and `graft eval` come from the bench workspace, see bin/graft.js). */
export const commands: CommandSet = {
  start: {
    help: 'run the embedded runtime (S3, extraction workers, job runner, API)',
    load: async () => (await import('./commands/start.js')).startCommand,
  },
  demo: {
    help: 'start, import MNIST digits, extract, train (auto), serve and predict',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  import: {
    help: 'upload a folder tree <label>/<file> (or <split>/<label>/<file>) as a data set',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
  train: {
    help: 'submit a training job and follow it',
    load: async () => (await import('./commands/train.js')).trainCommand,
  },
  predict: {
    help: 'classify an image with a served model',
    load: async () => (await import('./commands/predict.js')).predictCommand,
  },
  status: {
    help: 'jobs and their progress',
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  models: {
    help: 'models, versions and metrics',
    load: async () => (await import('./commands/models.js')).modelsCommand,
  },
  edge: {
    help: 'run the API in workerd against the running Graft, or build the Worker',
    load: async () => (await import('./commands/edge.js')).edgeCommand,
  },
  backbone: {
    help: 'list, inspect and add backbones (the source models data sets are extracted with)',
    load: async () => (await import('./commands/backbone.js')).backboneCommand,
  },
};

const USAGE_NAMES: Record<string, string> = {
  import: 'import <dir>',
  predict: 'predict <image>',
  status: 'status [job]',
  models: 'models [name]',
  backbone: 'backbone <sub>',
  edge: 'edge [build]',
  bench: 'bench <name>',
  eval: 'eval <name>',
};

function help(all: CommandSet): string {
  const lines = Object.entries(all).map(
    ([name, c]) => `  ${(USAGE_NAMES[name] ?? name).padEnd(19)}${c.help}`,
  );
  return `graft — adapt a pretrained image model to your labelled images and serve it

Usage: graft <command> [options]

Commands:
${lines.join('\n')}

Every command takes --json (one JSON object per line; the last line is the result) and --help.`;
}

/**
 * Runs the `graft` command line over the product's {@link commands} and any `extra` command sets (the bench
 * workspace's `bench` and `eval`).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['demo', '--exit', '--json']);
 * ```
 */
export async function main(argv: string[], extra: CommandSet = {}): Promise<number> {
  const all: CommandSet = { ...commands, ...extra };
  const HELP = help(all);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 1;
  }
  const entry = all[name];
  if (!entry) {
    process.stderr.write(`graft: unknown command '${name}'\n\n${HELP}\n`);
    return 2;
  }
  const command = await entry.load();
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: { ...command.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    process.stderr.write(`graft ${name}: ${(error as Error).message}\nUsage: ${command.usage}\n`);
    return 2;
  }
  const flags = parsed.values as Flags;
  if (flags.help) {
    process.stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  const out = createOutput({ json: Boolean(flags.json) });
  try {
    return await command.run({ flags, positionals: parsed.positionals, out });
  } catch (error) {
    const code = error instanceof GraftError ? error.code : (SYSTEM_CODES[systemCode(error)] ?? 'internal');
    const message = errorMessage(error);
    if (out.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    process.stderr.write(`graft ${name}: ${message}\n`);
    if (!(error instanceof GraftError) && process.env.GRAFT_DEBUG)
      process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

/** Codes for the file-system errors a user's arguments cause (a path that is not there, a file not readable). */
const SYSTEM_CODES: Record<string, string> = {
  ENOENT: 'file_not_found',
  EACCES: 'permission_denied',
  EISDIR: 'is_a_directory',
  ENOTDIR: 'not_a_directory',
};

function systemCode(error: unknown): string {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : '';
}
