import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WASM_FILE_NAMES, WasmFilesNotFoundError, wasmDirCandidates, wasmFilesDir } from '@graft/runtime';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'graft-wasm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('wasmFilesDir', () => {
  it('resolves the installed package binaries by default', () => {
    const dir = wasmFilesDir({});
    expect(dir.endsWith(path.sep)).toBe(true);
    expect(dir).toContain(path.join('tfjs-backend-wasm', 'dist'));
  });

  it('searches GRAFT_WASM_DIR, then wasm/ next to the module, then the package', () => {
    const c = wasmDirCandidates({ GRAFT_WASM_DIR: tmp });
    expect(c[0]).toBe(tmp);
    expect(c[1]?.endsWith(`${path.sep}wasm${path.sep}`)).toBe(true);
    expect(c[2]).toContain('tfjs-backend-wasm');
  });

  it('uses GRAFT_WASM_DIR when it holds the binaries (e.g. copied by the bundler)', () => {
    const dir = path.join(tmp, 'copied');
    mkdirSync(dir);
    for (const f of WASM_FILE_NAMES) copyFileSync(path.join(wasmFilesDir({}), f), path.join(dir, f));
    expect(wasmFilesDir({ GRAFT_WASM_DIR: dir })).toBe(dir + path.sep);
  });

  it('throws a typed error for a GRAFT_WASM_DIR without binaries', () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => wasmFilesDir({ GRAFT_WASM_DIR: empty })).toThrow(WasmFilesNotFoundError);
    try {
      wasmFilesDir({ GRAFT_WASM_DIR: empty });
    } catch (err) {
      expect((err as WasmFilesNotFoundError).code).toBe('wasm_files_not_found');
      expect((err as WasmFilesNotFoundError).searched).toEqual([empty]);
    }
  });
});
