export * from './backbone/index.js';
export * from './ood/index.js';
export * from './training/index.js';
