/**
 * AWS Lambda entrypoint (API Gateway HTTP API v2, REST API v1, ALB and Lattice events, via hono/aws-lambda).
 * Clients and the app are built once per container, during Lambda's init phase (with the default model loaded);
 * a failed start-up is retried by the next invocation.
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
 * Builds the handler once per container; with `preload`, also loads and warms up the default model
 * (`GRAFT_MODEL_NAME`) so the first request finds it serving. A failed build is retried by the next call.
 */
function start(options: { preload?: boolean } = {}): Promise<ReturnType<typeof createLambdaHandler>> {
  ready ??= (async () => {
    const { buildAppFromEnv } = await import('./from-env.js');
    const { app, config } = await buildAppFromEnv(process.env, { generateToken: false });
    if (options.preload && config.modelName) {
      // a model that cannot load now is tried again (and reported) by the request that needs it
      await app.serving.acquire(config.modelName).then(
        (lease) => lease.release(),
        () => undefined,
      );
    }
    return createLambdaHandler(app);
  })().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

// Lambda's init phase (module load, before the first invocation, with the full CPU): build the app and load the
// default model here, not in the first request. Outside Lambda (tests, tools importing this module) nothing starts.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) await start({ preload: true }).catch(() => undefined);

/**
 * The deployed handler: configuration from the environment (GRAFT_BUCKET, GRAFT_MODEL_NAME, GRAFT_JOB_QUEUE,
 * GRAFT_JOB_DEFINITION, GRAFT_S3_ENDPOINT, and GRAFT_API_TOKEN or GRAFT_API_TOKEN_SECRET_ARN). In Lambda the app is
 * built and the default model loaded while the module initialises; a start that failed there is retried here.
 *
 * @example
 * ```ts
 * // CDK: new lambda.Function(this, 'Api', { handler: 'lambda.handler', ... })
 * const res = await handler(apiGatewayV2Event, context);
 * ```
 */
export async function handler(event: LambdaEvent, context?: LambdaContext) {
  const run = await start();
  return run(event, context);
}
