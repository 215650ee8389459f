// Placeholder entry so the CDK app can synthesise; replaced by the pipeline implementation.
export const handler = async () => {
  throw new Error('not built yet');
};
