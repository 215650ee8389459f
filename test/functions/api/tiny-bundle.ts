/**
 * The tiny but real Graft bundle the API tests serve: the same model the fault scenarios use (an 8×8 conv
 * backbone and a feature-extraction head trained by `@graft/core` to tell dark from light images).
 */
export {
  TINY_LABELS,
  tinyModelFiles as tinyBundleFiles,
} from '@graft/bench';
