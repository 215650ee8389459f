import path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.js';
import { REPO_ROOT, repoPath } from '../paths.js';
import { copyRuntimeFilesCommands, LAMBDA_TASK_ROOT, MODEL_DIR, WASM_DIR } from './wasm-assets.js';

/**
 * Memory that buys one full vCPU on Lambda (vCPU share is proportional to memory; 1,769 MB = 1 vCPU).
 * tfjs WASM runs single-threaded in Node, so more memory would not make inference faster.
 *
 * @example
 * ```ts
 * new GraftFunction(this, 'Fn', { entry: 'functions/api/src/lambda.ts', memorySize: ONE_VCPU_MB });
 * ```
 */
export const ONE_VCPU_MB = 1769;

/**
 * Makes the ESM bundle behave for CommonJS code inside it: `require` (used by emscripten glue and
 * some dependencies) and `__dirname`/`__filename` (the tfjs WASM glue locates itself with them).
 *
 * @example
 * ```ts
 * bundling: { format: nodejs.OutputFormat.ESM, banner: ESM_REQUIRE_SHIM }
 * ```
 */
export const ESM_REQUIRE_SHIM = [
  "import { createRequire as __graftCreateRequire } from 'node:module';",
  "import { fileURLToPath as __graftFileURLToPath } from 'node:url';",
  "import { dirname as __graftDirname } from 'node:path';",
  'const require = __graftCreateRequire(import.meta.url);',
  'const __filename = __graftFileURLToPath(import.meta.url);',
  'const __dirname = __graftDirname(__filename);',
].join(' ');

/** Props of {@link GraftFunction}. */
export interface GraftFunctionProps {
  /** Repo-relative path of the TypeScript entry exporting `handler`. */
  readonly entry: string;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Extra environment (GRAFT_WASM_DIR, GRAFT_MODEL_DIR and GRAFT_BACKEND are always set). */
  readonly environment?: Record<string, string>;
  /** Reserved concurrency; unset = unreserved. */
  readonly reservedConcurrentExecutions?: number;
  /** One sentence on what the function does (becomes its description). */
  readonly description: string;
}

/**
 * A Graft Lambda: Node.js 22 on arm64 with one full vCPU, bundled by the local esbuild as ESM, with
 * the tfjs/@jsquash `.wasm` binaries in `wasm/` and the default backbone in `models/mobilenet_v2/`
 * next to `index.mjs`. It gets its own role whose only built-in permission is writing to its own
 * log group (no AWS managed policy); callers add prefix-scoped grants.
 *
 * @example
 * ```ts
 * const fn = new GraftFunction(this, 'Extract', {
 *   entry: 'functions/extract/src/lambda.ts', timeout: Duration.seconds(60), description: 'extract features',
 * });
 * grantPrefixes(bucket, fn.function, { read: ['datasets/'] });
 * ```
 */
export class GraftFunction extends Construct {
  /** The Lambda function. */
  readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  readonly role: iam.Role;
  /** Its log group (retained one month). */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GraftFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: repoPath(props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: ONE_VCPU_MB,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        // glibc gives each thread that allocates its own malloc arena, and keeps what it freed there: in a serving
        // process (96 px digits model, c=32 on two cores) V8's wasm compiler and GC threads left 25–35 MB in them.
        // Measured RSS after load: 259–271 MB by default, 221 MB with 2 arenas, 226 MB with 1.
        MALLOC_ARENA_MAX: '2',
        GRAFT_BACKEND: 'wasm',
        GRAFT_WASM_DIR: `${LAMBDA_TASK_ROOT}/${WASM_DIR}`,
        GRAFT_MODEL_DIR: `${LAMBDA_TASK_ROOT}/${MODEL_DIR}`,
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        minify: true,
        keepNames: true,
        sourceMap: false,
        // Ship the SDK version the handlers were tested with instead of the one baked into the runtime.
        bundleAwsSDK: true,
        // Loaded dynamically by @graft/runtime only where installed (the GPU container), never in Lambda.
        externalModules: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir, outputDir) => copyRuntimeFilesCommands(inputDir, outputDir),
        },
      },
    });
    acknowledge(this.function, [
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is pinned on purpose: it is the runtime the handlers are bundled for (esbuild target ' +
          'node22) and tested against; moving to a newer runtime is a deliberate upgrade, not drift.',
      },
    ]);
  }
}
