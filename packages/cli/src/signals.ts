/**
 * Resolves on the first SIGINT or SIGTERM (so a long-running command can shut down cleanly).
 *
 * @example
 * ```ts
 * await waitForSignal();
 * await runtime.close();
 * ```
 */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
