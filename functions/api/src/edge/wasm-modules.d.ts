/**
 * The `.wasm` files the Worker imports, by virtual name (`graft-wasm:<name>`, see `EDGE_WASM_FILES`): the edge build
 * rewrites each to a file next to the bundle, which workerd imports as a compiled `WebAssembly.Module`.
 */
declare module 'graft-wasm:*' {
  const module: WebAssembly.Module;
  export default module;
}
