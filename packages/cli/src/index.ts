// What a workspace above the CLI (the bench workspace) needs to add commands of its own and talk to the API.
export { ApiClient, type PredictResponse } from './api-client.js';
export type { Command, CommandSet, Flags } from './command.js';
export { DEMO_BUDGET_SECONDS } from './commands/demo.js';
export {
  type BuildEdgeOptions,
  buildEdge,
  EDGE_COMPATIBILITY_DATE,
  EDGE_COMPATIBILITY_FLAGS,
  type EdgeBuild,
  edgeEntry,
  wranglerToml,
} from './edge/build-edge.js';
export { type RunningEdge, type StartEdgeOptions, startEdge } from './edge/run-edge.js';
export { CliError, UsageError } from './errors.js';
export { intFlag, numberFlag } from './flags.js';
export { commands, main } from './main.js';
export { createOutput, type Output } from './output.js';
export { GRAFT_BIN } from './paths.js';
