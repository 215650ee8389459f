import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Writes a benchmark or evaluation result to `test/bench/results/<name>.json`, with the machine and the date.
 *
 * @example
 * ```ts
 * await writeResult('trunk', { bench: 'trunk', speedup: 2.3 });
 * ```
 */
export async function writeResult(name: string, result: Record<string, unknown>): Promise<void> {
  const dir = path.resolve('test/bench/results');
  await mkdir(dir, { recursive: true });
  const record = { ...result, machine: machineInfo(), date: new Date().toISOString() };
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

function machineInfo() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
