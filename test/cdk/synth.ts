/**
 * Shared test helper: synthesises a Graft stack into a temporary cloud assembly (Lambda bundling
 * with the local esbuild, Docker asset staged only) with the cdk-nag AwsSolutions pack registered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_CONFIG, type GraftConfig } from '../../cdk/lib/config.js';
import { GraftStack } from '../../cdk/lib/graft-stack.js';

/** A synthesised stack, its template and where the assembly lives. */
export interface Synthesised {
  app: App;
  stack: GraftStack;
  template: Template;
  json: Record<string, unknown>;
  outdir: string;
  cleanup(): void;
}

/**
 * Synthesises a Graft stack once. `bundle: false` skips esbuild (CDK's `aws:cdk:bundling-stacks`
 * context) for variants that only look at the template.
 *
 * @example
 * ```ts
 * const s = synthGraft({ spot: true }); s.template.resourceCountIs('AWS::Batch::JobQueue', 1); s.cleanup();
 * ```
 */
export function synthGraft(
  overrides: Partial<GraftConfig> = {},
  options: { bundle?: boolean } = {},
): Synthesised {
  const outdir = mkdtempSync(path.join(tmpdir(), 'graft-cdk-'));
  const app = new App({
    outdir,
    context: {
      'aws:cdk:enable-asset-metadata': true,
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    },
  });
  const stack = new GraftStack(app, 'Graft', {
    config: { ...DEFAULT_CONFIG, ...overrides },
    analyticsReporting: false,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    json: template.toJSON(),
    outdir,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * The template as JSON text with every content hash (asset hashes, S3 keys, image tags) replaced,
 * so the snapshot changes only when the infrastructure does, not when handler code does.
 *
 * @example
 * ```ts
 * expect(maskHashes(s.json)).toMatchSnapshot();
 * ```
 */
export function maskHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<hash>'));
}
