/**
 * AWS Lambda entrypoint (API Gateway HTTP API v2, REST API v1, ALB and Lattice events, via hono/aws-lambda).
 * Clients and the app are built once per container, on the first invocation; a failed start-up is retried
 * on the next one.
 */
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { handle } from 'hono/aws-lambda';
import type { createApp } from './app.js';

type App = ReturnType<typeof createApp>;

/**
 * Wraps an app as a Lambda handler.
 *
 * @example
 * ```ts
 * export const handler = createLambdaHandler(createApp(deps));
 * ```
 */
export function createLambdaHandler(app: App) {
  return handle(app);
}

let ready: Promise<ReturnType<typeof createLambdaHandler>> | undefined;

/**
 * The deployed handler: configuration from the environment (GRAFT_BUCKET, GRAFT_MODEL_NAME, GRAFT_JOB_QUEUE,
 * GRAFT_JOB_DEFINITION, GRAFT_S3_ENDPOINT, and GRAFT_API_TOKEN or GRAFT_API_TOKEN_SECRET_ARN).
 *
 * @example
 * ```ts
 * // CDK: new lambda.Function(this, 'Api', { handler: 'lambda.handler', ... })
 * const res = await handler(apiGatewayV2Event, context);
 * ```
 */
export async function handler(event: LambdaEvent, context?: LambdaContext) {
  ready ??= import('./from-env.js')
    .then(({ buildAppFromEnv }) => buildAppFromEnv(process.env, { generateToken: false }))
    .then(({ app }) => createLambdaHandler(app));
  let run: ReturnType<typeof createLambdaHandler>;
  try {
    run = await ready;
  } catch (err) {
    ready = undefined;
    throw err;
  }
  return run(event, context);
}
