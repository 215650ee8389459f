export { createExtractHandler, DEFAULT_EXTRACT_CONCURRENCY, keysOfMessage, type Log } from './handler.js';
