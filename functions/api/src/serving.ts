/**
 * The serving cache: which version of each model is loaded, when to look at `current.json` again, and the
 * atomic swap to a newly promoted version.
 *
 * - A model is loaded lazily on its first request and warmed up before it serves; concurrent first requests
 *   share one load.
 * - While a version serves, the pointer is re-read at most every `refreshMs`, in the background: requests
 *   never wait for a refresh. A new version is loaded and warmed up beside the old one, then swapped in.
 * - Requests hold a lease; an old version is disposed only after its last lease is released.
 * - When a new version fails to load, the old one keeps serving and the failure is reported by {@link status}.
 */
import { ModelNotFoundError, ModelUnavailableError, NoServingVersionError } from './errors.js';
import type { LoadedModel, ModelSource } from './ports.js';

/**
 * A model version in use by one request; call `release()` when done.
 *
 * @example
 * ```ts
 * const lease = await serving.acquire('digits');
 * try { await lease.model.classify(image, { topK: 1 }); } finally { lease.release(); }
 * ```
 */
export interface Lease {
  name: string;
  version: number;
  model: LoadedModel;
  release(): void;
}

/**
 * A load failure, as reported on `/ready`.
 *
 * @example
 * ```ts
 * const error: LoadError = { version: 3, message: 'weights.bin is truncated', at: new Date().toISOString() };
 * ```
 */
export interface LoadError {
  version?: number;
  message: string;
  at: string;
  /** Consecutive failed loads of that version. */
  attempts?: number;
  /** When loading that version will be tried again. */
  retryAt?: string;
}

/**
 * What `/ready` shows for one model.
 *
 * @example
 * ```ts
 * for (const slot of serving.status()) console.log(slot.name, slot.version, slot.lastError?.message);
 * ```
 */
export interface SlotStatus {
  name: string;
  /** The version serving now, if any. */
  version?: number;
  loadedAt?: string;
  loading: boolean;
  lastError?: LoadError;
}

/**
 * Options of {@link ServingCache}.
 *
 * @example
 * ```ts
 * new ServingCache(models, { refreshMs: 5000, maxRetryMs: 600_000 });
 * ```
 */
export interface ServingOptions {
  /** Minimum time between two reads of `current.json` for one model (default 5000 ms). */
  refreshMs?: number;
  /** Longest wait before loading a version that failed again (default 10 min; the wait doubles per failure from `refreshMs`). */
  maxRetryMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Loaded {
  version: number;
  model: LoadedModel;
  loadedAt: number;
  leases: number;
  retired: boolean;
}

interface Slot {
  name: string;
  current?: Loaded;
  /** The first load (no version serving yet), shared by concurrent requests. */
  firstLoad?: Promise<Loaded>;
  /** A background refresh in progress. */
  refreshing?: Promise<void>;
  lastCheck: number;
  lastError?: LoadError & { atMs: number };
  /** Loading `lastError.version` again is not tried before this time (back-off for a broken version). */
  retryAtMs?: number;
  /** Consecutive failed loads of `lastError.version`. */
  failures: number;
}

/**
 * Loads, refreshes and swaps model versions for the prediction route.
 *
 * @example
 * ```ts
 * const serving = new ServingCache(models, { refreshMs: 5000 });
 * const lease = await serving.acquire('digits');
 * try {
 *   await lease.model.classify(image, { topK: 5 });
 * } finally {
 *   lease.release();
 * }
 * ```
 */
export class ServingCache {
  readonly refreshMs: number;
  readonly maxRetryMs: number;
  private readonly now: () => number;
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly source: ModelSource,
    options: ServingOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.maxRetryMs = Math.max(this.refreshMs, options.maxRetryMs ?? 600_000);
    this.now = options.now ?? Date.now;
  }

  /** Leases the serving version of `name`, loading it first if nothing serves yet. */
  async acquire(name: string): Promise<Lease> {
    const slot = this.slot(name);
    let loaded = slot.current;
    if (loaded) {
      this.maybeRefresh(slot);
    } else {
      slot.firstLoad ??= this.firstLoad(slot)
        .catch((err: unknown) => {
          // Names of models that do not exist must not accumulate slots (clients choose the names).
          if (err instanceof ModelNotFoundError && !slot.current) this.slots.delete(name);
          throw err;
        })
        .finally(() => {
          slot.firstLoad = undefined;
        });
      loaded = await slot.firstLoad;
      // A refresh may have swapped in a newer version while this request waited.
      loaded = slot.current ?? loaded;
    }
    return this.lease(name, loaded);
  }

  /** Forces the next request to re-read the pointer (after a promote through this API). */
  invalidate(name: string): void {
    const slot = this.slots.get(name);
    if (slot) slot.lastCheck = Number.NEGATIVE_INFINITY;
  }

  /** Waits for a background refresh of `name`, if one is running. */
  async settled(name: string): Promise<void> {
    await this.slots.get(name)?.refreshing;
  }

  /**
   * Resolves when no load or refresh of any model is running (edge runtimes keep the request that started background
   * work alive until then: `ctx.waitUntil(serving.idle())`, else workerd cancels it with the response).
   */
  async idle(): Promise<void> {
    const pending = [...this.slots.values()].flatMap((slot) => [slot.refreshing, slot.firstLoad]);
    await Promise.allSettled(pending);
  }

  /** Re-reads the pointer now and swaps if it moved; resolves when done. */
  async refresh(name: string): Promise<void> {
    const slot = this.slot(name);
    if (!slot.current) {
      await this.acquire(name).then((lease) => lease.release());
      return;
    }
    slot.lastCheck = Number.NEGATIVE_INFINITY;
    this.maybeRefresh(slot);
    await slot.refreshing;
  }

  /** The state of every model this cache has seen. */
  status(): SlotStatus[] {
    return [...this.slots.values()].map((slot) => ({
      name: slot.name,
      version: slot.current?.version,
      loadedAt: slot.current ? new Date(slot.current.loadedAt).toISOString() : undefined,
      loading: Boolean(slot.firstLoad || slot.refreshing),
      lastError: slot.lastError
        ? {
            version: slot.lastError.version,
            message: slot.lastError.message,
            at: slot.lastError.at,
            attempts: slot.lastError.version === undefined ? undefined : slot.failures,
            retryAt: slot.retryAtMs === undefined ? undefined : new Date(slot.retryAtMs).toISOString(),
          }
        : undefined,
    }));
  }

  /** Disposes every loaded model (shutdown). */
  dispose(): void {
    for (const slot of this.slots.values()) {
      if (slot.current) this.retire(slot.current);
      slot.current = undefined;
    }
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = { name, lastCheck: Number.NEGATIVE_INFINITY, failures: 0 };
      this.slots.set(name, slot);
    }
    return slot;
  }

  private async firstLoad(slot: Slot): Promise<Loaded> {
    const { name } = slot;
    const failure = slot.lastError;
    // A failed first load is not retried on every request: at most once per refresh interval.
    if (failure && failure.version !== undefined && this.now() - failure.atMs < this.refreshMs) {
      throw new ModelUnavailableError(name, failure.version, failure.message);
    }
    const pointer = await this.source.getCurrent(name);
    slot.lastCheck = this.now();
    if (!pointer) {
      const model = await this.source.getModel(name);
      if (!model) throw new ModelNotFoundError(name);
      throw new NoServingVersionError(name);
    }
    if (this.backingOff(slot, pointer.version) && failure) {
      throw new ModelUnavailableError(name, pointer.version, failure.message);
    }
    try {
      const loaded = await this.load(name, pointer.version);
      slot.current = loaded;
      this.clearError(slot);
      return loaded;
    } catch (err) {
      this.recordError(slot, pointer.version, err);
      throw new ModelUnavailableError(name, pointer.version, messageOf(err), { cause: err });
    }
  }

  private maybeRefresh(slot: Slot): void {
    if (slot.refreshing || this.now() - slot.lastCheck < this.refreshMs) return;
    slot.lastCheck = this.now();
    slot.refreshing = this.swapIfMoved(slot).finally(() => {
      slot.refreshing = undefined;
    });
  }

  private async swapIfMoved(slot: Slot): Promise<void> {
    let version: number | undefined;
    try {
      const pointer = await this.source.getCurrent(slot.name);
      version = pointer?.version;
      // No pointer any more (rolled back to nothing / deleted): keep serving what we have.
      if (version === undefined || version === slot.current?.version) return;
      // Versions are immutable: a version that failed is retried with a doubling back-off, not every check.
      if (this.backingOff(slot, version)) return;
      const next = await this.load(slot.name, version);
      const old = slot.current;
      slot.current = next;
      this.clearError(slot);
      if (old) this.retire(old);
    } catch (err) {
      this.recordError(slot, version, err);
      console.error(
        JSON.stringify({
          level: 'warn',
          msg: 'model refresh failed',
          model: slot.name,
          version,
          error: messageOf(err),
        }),
      );
    }
  }

  private async load(name: string, version: number): Promise<Loaded> {
    const model = await this.source.loadVersion(name, version);
    try {
      await model.warmup?.();
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { version, model, loadedAt: this.now(), leases: 0, retired: false };
  }

  private lease(name: string, loaded: Loaded): Lease {
    loaded.leases++;
    let released = false;
    return {
      name,
      version: loaded.version,
      model: loaded.model,
      release: () => {
        if (released) return;
        released = true;
        loaded.leases--;
        if (loaded.retired && loaded.leases === 0) loaded.model.dispose();
      },
    };
  }

  private retire(loaded: Loaded): void {
    loaded.retired = true;
    if (loaded.leases === 0) loaded.model.dispose();
  }

  private recordError(slot: Slot, version: number | undefined, err: unknown): void {
    const atMs = this.now();
    if (version === undefined) {
      // the pointer could not be read: nothing to back off from
      slot.lastError = { version, message: messageOf(err), at: new Date(atMs).toISOString(), atMs };
      return;
    }
    slot.failures = slot.lastError?.version === version ? slot.failures + 1 : 1;
    slot.retryAtMs = atMs + Math.min(this.maxRetryMs, this.refreshMs * 2 ** (slot.failures - 1));
    slot.lastError = { version, message: messageOf(err), at: new Date(atMs).toISOString(), atMs };
  }

  private backingOff(slot: Slot, version: number): boolean {
    return slot.lastError?.version === version && slot.retryAtMs !== undefined && this.now() < slot.retryAtMs;
  }

  private clearError(slot: Slot): void {
    slot.lastError = undefined;
    slot.retryAtMs = undefined;
    slot.failures = 0;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
