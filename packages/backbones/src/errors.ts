import { GraftError } from '@graft/errors';

/**
 * Base of the errors of `@graft/backbones`.
 *
 * @example
 * ```ts
 * try { await registry.get('nope'); } catch (e) { if (e instanceof BackboneRegistryError) console.log(e.code); }
 * ```
 */
export class BackboneRegistryError extends GraftError {
  override name = 'BackboneRegistryError';
}

/**
 * No backbone with that id is registered (code `backbone_not_found`).
 *
 * @example
 * ```ts
 * throw new BackboneNotFoundError('resnet50');
 * ```
 */
export class BackboneNotFoundError extends BackboneRegistryError {
  override name = 'BackboneNotFoundError';
  constructor(readonly backbone: string) {
    super('backbone_not_found', `backbone '${backbone}' is not registered (see GET /v1/backbones)`);
  }
}

/**
 * The id is taken by a backbone with other weights (code `backbone_exists`): backbones are immutable, so new
 * weights need a new id.
 *
 * @example
 * ```ts
 * throw new BackboneExistsError('digits-cnn');
 * ```
 */
export class BackboneExistsError extends BackboneRegistryError {
  override name = 'BackboneExistsError';
  constructor(readonly backbone: string) {
    super(
      'backbone_exists',
      `backbone '${backbone}' already exists with other weights (backbones are immutable: register the new weights under a new id)`,
    );
  }
}

/**
 * What was given is not a usable tfjs Keras LayersModel image backbone (code `invalid_backbone`).
 *
 * @example
 * ```ts
 * throw new InvalidBackboneError('model topology is not a Keras LayersModel');
 * ```
 */
export class InvalidBackboneError extends BackboneRegistryError {
  override name = 'InvalidBackboneError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_backbone', message, options);
  }
}

/**
 * The weights are over the registry's size limit (code `backbone_too_large`).
 *
 * @example
 * ```ts
 * throw new BackboneTooLargeError(300_000_000, 134_217_728);
 * ```
 */
export class BackboneTooLargeError extends BackboneRegistryError {
  override name = 'BackboneTooLargeError';
  constructor(
    readonly bytes: number | undefined,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    const size = bytes === undefined ? 'the download is larger than' : `${bytes} bytes of weights exceed`;
    super('backbone_too_large', `${size} the limit of ${limit} bytes`, options);
  }
}

/**
 * The published model (code `model_not_found`) or version (`version_not_found`) to register as a backbone does
 * not exist.
 *
 * @example
 * ```ts
 * throw new SourceModelNotFoundError('version_not_found', "model 'digits' has no version 7");
 * ```
 */
export class SourceModelNotFoundError extends BackboneRegistryError {
  override name = 'SourceModelNotFoundError';
  constructor(code: 'model_not_found' | 'version_not_found', message: string) {
    super(code, message);
  }
}
