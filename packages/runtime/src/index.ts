export * as tf from '@tensorflow/tfjs';
export { type BackendInfo, initBackend } from './init-backend.js';
