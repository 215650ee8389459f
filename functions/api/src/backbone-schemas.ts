/**
 * Zod schemas of the backbone routes (they validate requests and generate the OpenAPI document).
 */
import { z } from '@hono/zod-openapi';
import { ModelNameParams } from './schemas.js';

/**
 * Path parameter of `GET /v1/backbones/{id}` (any name the registry could hold; unknown ones answer 404).
 *
 * @example
 * ```ts
 * BackboneIdParams.parse({ id: 'mobilenet_v2' });
 * ```
 */
export const BackboneIdParams = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-" (max 128)')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'mobilenet_v2' }),
});

/** A new backbone's id: the key rules, at most 59 characters, not ending in `-<digits>` (feature keys add the size). */
const NewBackboneId = z
  .string()
  .regex(
    /^(?!.*-\d+$)(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,58}$/,
    'letters, digits, ".", "_" or "-" (max 59), not ending in "-<digits>"',
  )
  .openapi({ example: 'digits-cnn' });

const Preprocessing = z.object({ scale: z.number(), offset: z.number() });

const Provenance = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('bundled') }),
    z.object({ kind: z.literal('folder'), path: z.string() }),
    z.object({ kind: z.literal('url'), url: z.string() }),
    z.object({
      kind: z.literal('developed'),
      model: z.string(),
      version: z.number().int(),
      dataset: z.string(),
    }),
  ])
  .openapi('BackboneProvenance');

const summaryFields = {
  formatVersion: z.literal(1),
  id: z.string(),
  name: z.string().openapi({ description: 'architecture', example: 'mobilenet_v2' }),
  createdAt: z.string(),
  provenance: Provenance,
  preprocessing: Preprocessing,
  inputSizes: z.array(z.number().int()).openapi({ example: [96, 128, 160, 192, 224] }),
  defaultInputSize: z.number().int().openapi({ example: 96 }),
  inputChannels: z.number().int(),
  featuresLayer: z.string().openapi({ example: 'out_relu' }),
  defaultCut: z.string().openapi({ example: 'block_13_expand_relu' }),
  pretrainedUpTo: z.number().int().nullable(),
  sourceTrainedLayers: z.object({ from: z.string(), to: z.string() }).nullable(),
  weightsSha256: z.string(),
  weightsBytes: z.number().int(),
  parameters: z.number().int(),
};

/**
 * A backbone's manifest (`backbones/<id>/backbone.json`).
 *
 * @example
 * ```ts
 * BackboneSchema.shape.defaultCut.parse('block_13_expand_relu');
 * ```
 */
export const BackboneSchema = z
  .object({
    ...summaryFields,
    cuts: z.array(
      z.object({ name: z.string(), index: z.number().int(), outputShape: z.array(z.number().int()) }),
    ),
    sourceStats: z
      .unknown()
      .optional()
      .openapi({ description: 'statistics of the source data, when recorded' }),
  })
  .openapi('Backbone');

/**
 * The backbone listing (manifests without their cuts and source statistics).
 *
 * @example
 * ```ts
 * BackboneListSchema.shape.backbones.element.shape.id.parse('mobilenet_v2');
 * ```
 */
export const BackboneListSchema = z
  .object({
    backbones: z.array(
      z.object({ ...summaryFields, hasSourceStats: z.boolean() }).openapi('BackboneSummary'),
    ),
  })
  .openapi('BackboneList');

/**
 * Body of `POST /v1/backbones`: a published model version (`from`) or a URL on the allow-list (`url`).
 *
 * @example
 * ```ts
 * AddBackboneBody.parse({ id: 'digits-v3', from: { model: 'digits', version: 3 } });
 * AddBackboneBody.parse({ id: 'cnn', url: 'https://models.example.com/cnn/model.json' });
 * ```
 */
export const AddBackboneBody = z
  .union([
    z.strictObject({
      id: NewBackboneId,
      from: z.strictObject({
        model: ModelNameParams.shape.name.openapi({ example: 'digits' }),
        version: z
          .number()
          .int()
          .positive()
          .optional()
          .openapi({ description: 'default: the serving version' }),
      }),
    }),
    z.strictObject({
      id: NewBackboneId,
      url: z.url().openapi({ description: "a tfjs layers model's model.json on an allow-listed origin" }),
    }),
  ])
  .openapi('AddBackboneRequest');
