import { parseArgs } from 'node:util';
import { CliError } from './errors.js';
import { createOutput, type Output } from './output.js';

/** Parsed flags of one command. */
export type Flags = Record<string, string | boolean | undefined>;

/** A CLI command: `run` returns the process exit code. */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(args: { flags: Flags; positionals: string[]; out: Output }): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./commands/start.js')).startCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  train: async () => (await import('./commands/train.js')).trainCommand,
  predict: async () => (await import('./commands/predict.js')).predictCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  backbone: async () => (await import('./commands/backbone.js')).backboneCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
};

const HELP = `graft — adapt a pretrained image model to your labelled images and serve it

Usage: graft <command> [options]

Commands:
  start              run the embedded runtime (S3, extraction workers, job runner, API)
  demo               start, import MNIST digits, extract, train (auto), serve and predict
  import <dir>       upload a folder tree <label>/<file> (or <split>/<label>/<file>) as a data set
  train              submit a training job and follow it
  predict <image>    classify an image with a served model
  status [job]       jobs and their progress
  models [name]      models, versions and metrics
  backbone inspect   layers, shapes, parameters and cut points of a backbone
  bench <name>       benchmarks: kernels, trunk, train, pipeline, api, faults, all
  eval <name>        accuracy evaluations: mnist-transfer, fashion, scenarios

Every command takes --json (one JSON object per line; the last line is the result) and --help.`;

/**
 * Runs the `graft` command line.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['demo', '--exit', '--json']);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`graft: unknown command '${name}'\n\n${HELP}\n`);
    return 2;
  }
  const command = await load();
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
    const code =
      error instanceof CliError || (error as { code?: unknown }).code
        ? String((error as { code: unknown }).code)
        : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    if (out.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    process.stderr.write(`graft ${name}: ${message}\n`);
    if (!(error instanceof CliError) && process.env.GRAFT_DEBUG)
      process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
