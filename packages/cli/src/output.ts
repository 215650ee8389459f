/**
 * How the CLI talks: plain lines for people (a live progress line on a TTY), one JSON object per line with
 * `--json`. The last line of a `--json` run is its result.
 */
export interface Output {
  readonly json: boolean;
  /** A human message (stderr in JSON mode, so stdout stays machine-readable). */
  info(message: string): void;
  /** A progress update: rewrites one line on a TTY, prints plain lines otherwise (at most every 2 s). */
  progress(label: string, done: number, total?: number): void;
  /** A machine-readable record (stdout, one line) in JSON mode; a readable summary otherwise. */
  result(value: Record<string, unknown>): void;
}

/**
 * Creates the CLI's output channel.
 *
 * @example
 * ```ts
 * const out = createOutput({ json: true });
 * out.result({ accuracy: 0.97 }); // {"accuracy":0.97}
 * ```
 */
export function createOutput(options: {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const tty = Boolean(stderr.isTTY) && !options.json;
  let lastPlain = 0;
  let lastText = '';
  let lineOpen = false;
  const closeLine = () => {
    if (lineOpen) stderr.write('\n');
    lineOpen = false;
  };
  return {
    json: options.json,
    info(message) {
      closeLine();
      stderr.write(`${message}\n`);
    },
    progress(label, done, total) {
      const text = total
        ? `${label} ${done}/${total} (${Math.round((100 * done) / Math.max(1, total))}%)`
        : `${label} ${done}`;
      if (tty) {
        stderr.write(`\r${bar(done, total)} ${text}\u001b[K`);
        lineOpen = true;
        return;
      }
      const now = Date.now();
      if (text === lastText || (now - lastPlain < 2000 && done !== total)) return;
      lastPlain = now;
      lastText = text;
      stderr.write(`${text}\n`);
    },
    result(value) {
      closeLine();
      if (options.json) stdout.write(`${JSON.stringify(value)}\n`);
      else
        for (const [key, v] of Object.entries(value))
          stdout.write(`${key}: ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
    },
  };
}

function bar(done: number, total?: number): string {
  if (!total) return '';
  const width = 24;
  const filled = Math.round((width * Math.min(done, total)) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
