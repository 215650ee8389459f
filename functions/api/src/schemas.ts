/**
 * Zod schemas of the API (they validate requests and generate the OpenAPI document).
 */

import { TrainingOptionsSchema as JobTrainingOptions, TrainingSpecSchema } from '@graft/jobs';
import { keyProblem, names } from '@graft/storage';
import { z } from '@hono/zod-openapi';

/**
 * The error body every failure answers with.
 *
 * @example
 * ```ts
 * ErrorSchema.parse({ error: { code: 'model_not_found', message: "model 'x' does not exist" } });
 * ```
 */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'model_not_found' }),
      message: z.string().openapi({ example: "model 'digits' does not exist" }),
    }),
  })
  .openapi('Error');

/**
 * A data set, model or backbone name: storage's one name rule (`names.nameProblem` of `@graft/storage`), so every
 * name the API accepts storage accepts too.
 *
 * @example
 * ```ts
 * NameSchema.parse('digits'); // 'digits'
 * NameSchema.safeParse('a..').success; // false
 * ```
 */
export const NameSchema = z
  .string()
  .max(names.NAME_MAX_LENGTH)
  .regex(names.NAME_PATTERN, names.NAME_RULE)
  .refine((value) => names.nameProblem(value) === undefined, names.NAME_RULE);

/**
 * A model name (path parameter): {@link NameSchema}.
 *
 * @example
 * ```ts
 * ModelNameParams.parse({ name: 'digits' });
 * ```
 */
export const ModelNameParams = z.object({
  name: NameSchema.openapi({ param: { name: 'name', in: 'path' }, example: 'digits' }),
});

const topK = z.coerce.number().int().min(1).max(100);
const threshold = z.coerce.number().min(0).max(1);
const oodThreshold = z.coerce.number().finite().openapi({
  description:
    "flag the image unknown when its OOD score is above this (default: the model's fitted threshold)",
});
const oodMethod = z.enum(['msp', 'energy', 'mahalanobis', 'knn']).openapi({
  description:
    "the OOD score to use (default: the model's method); its fitted threshold unless oodThreshold is given",
});

/**
 * Query string of the prediction route.
 *
 * @example
 * ```ts
 * PredictQuery.parse({ topK: '3' }); // { topK: 3 }
 * ```
 */
export const PredictQuery = z.object({
  topK: topK.optional().openapi({ param: { name: 'topK', in: 'query' }, example: 5 }),
  threshold: threshold.optional().openapi({ param: { name: 'threshold', in: 'query' }, example: 0.5 }),
  oodThreshold: oodThreshold.optional().openapi({ param: { name: 'oodThreshold', in: 'query' } }),
  oodMethod: oodMethod.optional().openapi({ param: { name: 'oodMethod', in: 'query' } }),
});

/**
 * JSON body of the prediction route: an inline base64 image or the key of a stored object.
 *
 * @example
 * ```ts
 * PredictJson.parse({ s3Key: 'uploads/cat.jpg', topK: 3 });
 * ```
 */
export const PredictJson = z
  .object({
    image: z.string().min(1).optional().openapi({ description: 'the image bytes, base64-encoded' }),
    s3Key: z
      .string()
      .min(1)
      .max(1024)
      .superRefine((key, ctx) => {
        const problem = keyProblem(key);
        if (problem !== undefined)
          ctx.addIssue({ code: 'custom', message: `not a valid object key: ${problem}` });
      })
      .optional()
      .openapi({
        description: 'an object under datasets/ or uploads/',
        example: 'datasets/digits/test/7/0001.png',
      }),
    topK: topK.optional(),
    threshold: threshold.optional(),
    oodThreshold: oodThreshold.optional(),
    oodMethod: oodMethod.optional(),
  })
  .refine((b) => (b.image === undefined) !== (b.s3Key === undefined), {
    message: 'exactly one of image or s3Key is required',
  })
  .openapi('PredictRequest');

/**
 * Answer of the prediction route.
 *
 * @example
 * ```ts
 * PredictResponse.parse({ model: 'digits', version: 2, predictions: [{ label: '7', score: 0.98 }], unknown: false,
 *   timings: { decodeMs: 1.2, inferMs: 8.5 } });
 * ```
 */
export const PredictResponse = z
  .object({
    model: z.string(),
    version: z.number().int(),
    predictions: z.array(z.object({ label: z.string(), score: z.number() })),
    unknown: z.boolean().openapi({
      description:
        'true when the image looks like none of the labels: its OOD score is above the threshold (for a model without OOD data: the top score is below `threshold`, default 0.5; with OOD data `threshold` is only applied when given)',
    }),
    ood: z
      .object({
        score: z.number(),
        threshold: z.number(),
        method: z.enum(['msp', 'energy', 'mahalanobis', 'knn']),
      })
      .nullable()
      .openapi({
        description:
          'the out-of-distribution verdict; null for model versions trained before OOD data existed',
      }),
    timings: z.object({
      decodeMs: z.number(),
      inferMs: z.number(),
      batchSize: z.number().int().optional().openapi({
        description:
          'how many concurrent predictions ran through the model together with this one (dynamic batching)',
      }),
      queueMs: z.number().optional().openapi({ description: 'time spent waiting for the model to be free' }),
    }),
  })
  .openapi('Prediction');

const VersionSchema = z
  .object({
    version: z.number().int(),
    createdAt: z.string().optional(),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .catchall(z.unknown())
  .openapi('ModelVersion');

/**
 * One model with its versions.
 *
 * @example
 * ```ts
 * ModelSchema.parse({ name: 'digits', servingVersion: 1, versions: [{ version: 1 }] });
 * ```
 */
export const ModelSchema = z
  .object({
    name: z.string(),
    servingVersion: z.number().int().optional(),
    versions: z.array(VersionSchema),
  })
  .openapi('Model');

/**
 * The model listing.
 *
 * @example
 * ```ts
 * ModelListSchema.parse({ models: [{ name: 'digits', servingVersion: 1, latestVersion: 2 }] });
 * ```
 */
export const ModelListSchema = z
  .object({
    models: z.array(
      z.object({
        name: z.string(),
        servingVersion: z.number().int().optional(),
        latestVersion: z.number().int().optional(),
      }),
    ),
  })
  .openapi('ModelList');

/**
 * Body of the promote route.
 *
 * @example
 * ```ts
 * PromoteBody.parse({ version: 2 });
 * ```
 */
export const PromoteBody = z.object({ version: z.number().int().positive() }).openapi('PromoteRequest');

/**
 * `options` of `POST /v1/trainings`: `@graft/jobs`' one schema (types, ranges, budgets), documented here.
 *
 * @example
 * ```ts
 * TrainingOptionsSchema.parse({ epochs: 5, cut: 'block_13_expand_relu', upper: 'replace' });
 * ```
 */
export const TrainingOptionsSchema = documented(JobTrainingOptions).openapi('TrainingOptions');

/**
 * Body of `POST /v1/trainings`: `@graft/jobs`' `TrainingSpecSchema`, the one schema the job parses its record
 * with too (the strategy defaults to `auto`).
 *
 * @example
 * ```ts
 * TrainingBody.parse({ dataset: 'digits', model: 'digits', strategy: 'auto' });
 * ```
 */
export const TrainingBody = documented(TrainingSpecSchema).openapi('TrainingRequest');

/**
 * A schema built with plain `zod` in a library, able to take OpenAPI metadata: zod copies prototype methods onto
 * an instance when it is built, so a schema built before `@hono/zod-openapi` added `.openapi` lacks it; a clone
 * built now has it.
 */
function documented<T extends z.ZodType>(schema: T): T {
  return schema.clone() as T;
}

/**
 * A training job as stored (status and progress; the store may add fields).
 *
 * @example
 * ```ts
 * JobSchema.parse({ id: 'job-1', status: 'queued' });
 * ```
 */
export const JobSchema = z
  .object({ id: z.string(), status: z.string() })
  .catchall(z.unknown())
  .openapi('TrainingJob');

/**
 * Path parameter of `GET /v1/trainings/{id}`.
 *
 * @example
 * ```ts
 * JobIdParams.parse({ id: '01J0ABCDEF' });
 * ```
 */
export const JobIdParams = z.object({
  id: z
    .string()
    .regex(names.JOB_ID_PATTERN, 'use 1–64 letters, digits, "_" or "-"')
    .openapi({ param: { name: 'id', in: 'path' }, example: '01J0ABCDEF' }),
});

/**
 * Standard error responses, for `createRoute`.
 *
 * @example
 * ```ts
 * createRoute({ method: 'get', path: '/x', responses: { 200: ok, ...errorResponses(401, 404) } });
 * ```
 */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s] ?? 'error',
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  );

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid request (`invalid_request`, `empty_image`, `invalid_backbone`)',
  401: 'missing or wrong bearer token (`unauthorized`)',
  403: 'the URL is not on the allow-list (`source_not_allowed`)',
  404: 'not found (`model_not_found`, `version_not_found`, `job_not_found`, `object_not_found`, `backbone_not_found`)',
  409: 'conflict (`no_serving_version`, `backbone_exists`)',
  413: 'body, image or backbone too large (`payload_too_large`, `image_too_large`, `backbone_too_large`)',
  415: 'not a JPEG, PNG or WebP (`unsupported_format`, `unsupported_media_type`)',
  422: 'the image cannot be decoded (`corrupt_image`)',
  502: 'the job runner refused the job (`job_submit_failed`)',
  503: 'the serving version cannot be loaded (`model_unavailable`)',
};
