export { REGION_GRID } from './candidates.js';
export { type DatasetIndex, indexDataset, type Upload } from './dataset-index.js';
export { countsPerLabel, type DecideArgs, type Decision, decideStrategy } from './decide.js';
export { JobError } from './errors.js';
export { type GatherArgs, type Gathered, gatherActivations } from './gather.js';
export { type ImageBatch, type ImagesArgs, imagesTensor } from './images.js';
export { type PublishArgs, publishVersion } from './publish.js';
export { type JobDeps, runJob } from './run-job.js';
