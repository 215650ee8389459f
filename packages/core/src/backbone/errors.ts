import { GraftError } from '@graft/errors';

/** Machine-readable codes carried by every {@link BackboneError}. */
export type BackboneErrorCode =
  | 'unknown_cut'
  | 'unsupported_input_size'
  | 'source_not_allowed'
  | 'source_too_large'
  | 'invalid_model';

/**
 * Base class of every error thrown by the backbone module.
 *
 * @example
 * ```ts
 * try {
 *   splitBackbone(backbone, 'nope');
 * } catch (error) {
 *   if (error instanceof BackboneError && error.code === 'unknown_cut') console.log(error.message);
 * }
 * ```
 */
export class BackboneError extends GraftError {
  override name = 'BackboneError';
  declare readonly code: BackboneErrorCode;
  constructor(code: BackboneErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * A cut point (layer name or index) that is not one of the backbone's valid cuts.
 *
 * @example
 * ```ts
 * throw new UnknownCutError('block_3_expand', ['block_2_add', 'block_3_project_BN']);
 * ```
 */
export class UnknownCutError extends BackboneError {
  override name = 'UnknownCutError';
  constructor(cut: string | number, valid: string[]) {
    super('unknown_cut', `Unknown cut point '${cut}'. Valid cuts: ${valid.join(', ')}`);
  }
}

/**
 * The backbone cannot be built for the requested input size.
 *
 * @example
 * ```ts
 * throw new UnsupportedInputSizeError(100, 'mobilenet_v2 supports 96, 128, 160, 192, 224');
 * ```
 */
export class UnsupportedInputSizeError extends BackboneError {
  override name = 'UnsupportedInputSizeError';
  constructor(size: unknown, detail: string, options?: { cause?: unknown }) {
    super('unsupported_input_size', `Unsupported input size ${String(size)}: ${detail}`, options);
  }
}

/**
 * A model source (URL origin, address or weight path) that Graft refuses to load from.
 *
 * @example
 * ```ts
 * throw new SourceNotAllowedError('origin https://evil.example is not in the allow-list');
 * ```
 */
export class SourceNotAllowedError extends BackboneError {
  override name = 'SourceNotAllowedError';
  constructor(message: string) {
    super('source_not_allowed', message);
  }
}

/**
 * A model download is larger than its byte limit (model.json and shards together); nothing more is read.
 *
 * @example
 * ```ts
 * throw new SourceTooLargeError('https://models.example.com/m/group1-shard1of1.bin', 256 * 1024 * 1024);
 * ```
 */
export class SourceTooLargeError extends BackboneError {
  override name = 'SourceTooLargeError';
  constructor(
    what: string,
    readonly limit: number,
  ) {
    super('source_too_large', `${what} is larger than the download limit (${limit} bytes in all)`);
  }
}

/**
 * The model files or the model itself cannot be used as a backbone.
 *
 * @example
 * ```ts
 * throw new InvalidModelError('model.json has no modelTopology');
 * ```
 */
export class InvalidModelError extends BackboneError {
  override name = 'InvalidModelError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_model', message, options);
  }
}
