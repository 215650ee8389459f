// The workerd build's pieces (`@graft/fn-api/edge`): kept out of the package's main entry, whose importers (the local
// runtime, Lambda) would otherwise load tfjs and the image codecs before they need them.
export { createEdgeApp, type EdgeEnv, type EdgeWasm } from './edge-app.js';
export { type EdgeBackendInfo, initEdgeBackend } from './wasm-backend.js';
export { EDGE_WASM_FILES, EDGE_WASM_PREFIX } from './wasm-files.js';
