import type { Output } from './output.js';

/** Parsed flags of one command. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * A `graft` command: its help text, its flags and `run`, which resolves to the process exit code. A workspace can
 * add commands of its own (the bench workspace adds `bench` and `eval`) by handing a {@link CommandSet} to `main`.
 *
 * @example
 * ```ts
 * export const helloCommand: Command = {
 *   summary: 'Say hello.',
 *   usage: 'graft hello [--json]',
 *   options: {},
 *   async run({ out }) {
 *     out.result({ hello: 'world' });
 *     return 0;
 *   },
 * };
 * ```
 */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>;
  run(args: { flags: Flags; positionals: string[]; out: Output }): Promise<number>;
}

/**
 * Commands by name, each loaded only when it runs (so `graft status` does not import TensorFlow), with the one
 * line `graft --help` shows for it.
 *
 * @example
 * ```ts
 * const extra: CommandSet = {
 *   hello: { help: 'say hello', load: async () => (await import('./hello.js')).helloCommand },
 * };
 * ```
 */
export type CommandSet = Record<string, { help: string; load: () => Promise<Command> }>;
