/**
 * tfjs as every Graft package sees it (`tf` of `@graft/runtime`), resolved through `#tfjs` (package.json "imports"):
 * this module for type checking and ES-module bundles (the edge Worker), `tfjs-node.cjs` on Node, where it loads the
 * same CommonJS bundle without Node lexing 7 MB of tfjs to find its export names.
 */
export * from '@tensorflow/tfjs';
