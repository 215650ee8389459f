#!/usr/bin/env node
// The `graft` command. Graft ships TypeScript sources; tsx compiles them on the fly (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
