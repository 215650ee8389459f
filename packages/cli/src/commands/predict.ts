import { readFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { connect, connectionOptions } from '../connection.js';
import { UsageError } from '../errors.js';
import { intFlag, nameFlag } from '../flags.js';

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/** `graft predict <image> --model <m>` — classifies an image file with a served model. */
export const predictCommand: Command = {
  summary: 'Classify an image file with a served model.',
  usage: 'graft predict <image> --model <name> [--top-k 3] [--json]',
  options: { ...connectionOptions, model: { type: 'string' }, 'top-k': { type: 'string' } },
  async run({ flags, positionals, out }) {
    const file = positionals[0];
    if (!file || !flags.model) throw new UsageError('usage: graft predict <image> --model <name>');
    const { api } = await connect(flags);
    const bytes = new Uint8Array(await readFile(file));
    const type = TYPES[file.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
    const answer = await api.predict(nameFlag(flags, 'model'), bytes, type, intFlag(flags, 'top-k', 3));
    if (!out.json) {
      for (const p of answer.predictions)
        out.info(
          `${p.label.padEnd(20)} ${(p.score * 100).toFixed(1).padStart(5)} % ${'█'.repeat(Math.round(p.score * 30))}`,
        );
    }
    out.result({ ...answer });
    return 0;
  },
};
