/**
 * In-memory implementations of the API's ports for tests that are about HTTP behaviour, not about models.
 * (Serving against the real registry and a real bundle is covered in registry-serving.test.ts.)
 */
import { encodePng } from '@graft/imaging';
import type { TrainingJob, TrainingSpec } from '@graft/jobs';
import {
  type Classification,
  type ClassifyOptions,
  type DecodedImage,
  type JobRunner,
  type JobStoreLike,
  type LoadedModel,
  type ModelInfo,
  ModelNotFoundError,
  type ModelSource,
  type ModelSummary,
  VersionNotFoundError,
} from '../../../functions/api/src/index.js';

export const TOKEN = 'test-token-0123456789';
export const auth = { authorization: `Bearer ${TOKEN}` };

interface FakeVersion {
  /** When set, loading this version rejects with this message. */
  broken?: string;
  metrics?: Record<string, unknown>;
}

/** A model that labels an image 'light' or 'dark' by its mean brightness; the score is that mean. */
export class BrightnessModel implements LoadedModel {
  disposed = false;
  calls = 0;
  warmups = 0;
  meta: Record<string, unknown>;
  constructor(
    readonly version: number,
    readonly inferDelayMs = 0,
  ) {
    this.meta = { labels: ['dark', 'light'], version };
  }
  async warmup(): Promise<void> {
    await this.classify({ width: 1, height: 1, data: new Uint8ClampedArray(4) }, { topK: 1 });
    this.calls = 0;
    this.warmups++;
  }
  async classify(image: Uint8Array | DecodedImage, options: ClassifyOptions): Promise<Classification> {
    if (this.disposed) throw new Error(`version ${this.version} used after dispose`);
    if (image instanceof Uint8Array) throw new Error('expected a decoded image');
    this.calls++;
    if (this.inferDelayMs) await new Promise((r) => setTimeout(r, this.inferDelayMs));
    if (this.disposed) throw new Error(`version ${this.version} disposed during inference`);
    let sum = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      sum += ((image.data[i] ?? 0) + (image.data[i + 1] ?? 0) + (image.data[i + 2] ?? 0)) / 3;
    }
    const light = sum / (image.width * image.height) / 255;
    const predictions = [
      { label: 'light', score: light },
      { label: 'dark', score: 1 - light },
    ]
      .sort((a, b) => b.score - a.score)
      .slice(0, options.topK);
    return { predictions, unknown: (predictions[0]?.score ?? 0) < (options.threshold ?? 0) };
  }
  dispose(): void {
    this.disposed = true;
  }
}

/** An in-memory registry; `loadVersion` builds {@link BrightnessModel}s. */
export class MemoryModelSource implements ModelSource {
  readonly models = new Map<string, { current?: number; versions: Map<number, FakeVersion> }>();
  readonly loaded: BrightnessModel[] = [];
  loadCount = 0;
  getCurrentCount = 0;
  loadDelayMs = 0;
  inferDelayMs = 0;

  add(name: string, version: number, options: FakeVersion & { serve?: boolean } = {}): this {
    let model = this.models.get(name);
    if (!model) {
      model = { versions: new Map() };
      this.models.set(name, model);
    }
    model.versions.set(version, { broken: options.broken, metrics: options.metrics });
    if (options.serve) model.current = version;
    return this;
  }

  async getCurrent(name: string) {
    this.getCurrentCount++;
    const current = this.models.get(name)?.current;
    return current === undefined ? undefined : { version: current };
  }

  async loadVersion(name: string, version: number): Promise<LoadedModel> {
    this.loadCount++;
    if (this.loadDelayMs) await new Promise((r) => setTimeout(r, this.loadDelayMs));
    const v = this.models.get(name)?.versions.get(version);
    if (!v) throw new VersionNotFoundError(name, version);
    if (v.broken) throw new Error(v.broken);
    const model = new BrightnessModel(version, this.inferDelayMs);
    this.loaded.push(model);
    return model;
  }

  async listModels(): Promise<ModelSummary[]> {
    return [...this.models].map(([name, m]) => ({
      name,
      servingVersion: m.current,
      latestVersion: Math.max(...m.versions.keys()),
    }));
  }

  async getModel(name: string): Promise<ModelInfo | undefined> {
    const m = this.models.get(name);
    if (!m) return undefined;
    return {
      name,
      servingVersion: m.current,
      versions: [...m.versions].map(([version, v]) => ({ version, metrics: v.metrics })),
    };
  }

  async promote(name: string, version: number): Promise<void> {
    const m = this.models.get(name);
    if (!m) throw new ModelNotFoundError(name);
    if (!m.versions.has(version)) throw new VersionNotFoundError(name, version);
    m.current = version;
  }
}

/** Job records in a Map. */
export class MemoryJobs implements JobStoreLike {
  readonly records = new Map<string, TrainingJob>();
  private next = 1;
  async create(spec: TrainingSpec): Promise<TrainingJob> {
    const at = new Date().toISOString();
    const record: TrainingJob = {
      id: `job-${this.next++}`,
      status: 'queued',
      spec,
      createdAt: at,
      updatedAt: at,
    };
    this.records.set(record.id, record);
    return record;
  }
  async get(id: string) {
    return this.records.get(id);
  }
  async fail(id: string, message: string) {
    const r = this.records.get(id);
    if (r) this.records.set(id, { ...r, status: 'failed', error: { code: 'submit_failed', message } });
  }
}

/** Records submissions; `refuse` makes it reject. */
export class RecordingRunner implements JobRunner {
  readonly submitted: string[] = [];
  refuse?: string;
  async submit(jobId: string): Promise<void> {
    if (this.refuse) throw new Error(this.refuse);
    this.submitted.push(jobId);
  }
}

/** A uniformly gray PNG (real encoder). */
export async function grayPng(value: number, size = 4): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(
    await encodePng({ width: size, height: size, data: new Uint8Array(size * size).fill(value) }),
  );
}
