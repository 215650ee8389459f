/**
 * The CDK app: `cd cdk && npx cdk synth` (or `npm run synth` at the root), `npx cdk deploy`.
 * Parameters come from context: `-c graft:spot=true -c graft:gpuInstanceTypes=g5.xlarge`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseGraftConfig } from '../lib/config.js';
import { GraftConfigError } from '../lib/errors.js';
import { GraftStack } from '../lib/graft-stack.js';

const app = new App();
try {
  const config = parseGraftConfig(app.node.getAllContext());
  const stackName = String(app.node.tryGetContext('graft:stackName') ?? 'Graft');
  new GraftStack(app, stackName, {
    config,
    description: 'Graft: transfer learning for images (storage, extraction fan-out, GPU training, API)',
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  app.synth();
} catch (err) {
  if (err instanceof GraftConfigError) {
    console.error(`Invalid Graft parameter ${err.message}`);
    process.exit(1);
  }
  throw err;
}
