export { type DatasetIndex, indexDataset, type Upload } from './dataset-index.js';
export { countsPerLabel, type Decision, decideStrategy } from './decide.js';
export { JobError } from './errors.js';
export { type Gathered, gatherActivations } from './gather.js';
export { imagesTensor } from './images.js';
export { type JobProgress, progressReporter } from './progress.js';
export { publishVersion } from './publish.js';
export { type JobDeps, type JobResult, runJob } from './run-job.js';
