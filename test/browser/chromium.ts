/**
 * Finds a Chromium for playwright-core: `CHROMIUM_PATH`, Debian's `/usr/bin/chromium`, `/usr/bin/chromium-browser`.
 * When none exists and the process is root, installs Debian's `chromium` package (`apt-get update` first when the
 * package is unknown); otherwise the browser tests skip with a loud warning.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

function found(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function aptInstall(): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { env, stdio: 'pipe', timeout: 600_000 });
  try {
    install();
  } catch {
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'pipe', timeout: 600_000 });
    install();
  }
}

/**
 * The Chromium executable, or why there is none (then the caller skips its tests).
 *
 * @example
 * ```ts
 * const chromiumPath = findChromium();
 * describe.skipIf(!chromiumPath.path)('pages', () => { … });
 * ```
 */
export function findChromium(): { path?: string; reason?: string } {
  let path = found();
  if (!path && isRoot()) {
    try {
      aptInstall();
    } catch (err) {
      console.warn(`browser tests: apt-get install chromium failed: ${String(err).slice(0, 300)}`);
    }
    path = found();
  }
  if (path) return { path };
  const reason = `SKIPPING BROWSER TESTS: no Chromium at CHROMIUM_PATH, ${CANDIDATES.join(', ')}${isRoot() ? ' (apt-get install chromium did not provide one)' : ' and not root, so it cannot be installed (apt-get install chromium)'}`;
  console.warn(`\n${'!'.repeat(80)}\n${reason}\n${'!'.repeat(80)}\n`);
  return { reason };
}

/**
 * Launches headless Chromium (`--no-sandbox` when running as root, which Chromium's sandbox refuses).
 *
 * @example
 * ```ts
 * const browser = await launchChromium(path);
 * await browser.close();
 * ```
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: isRoot() ? ['--no-sandbox'] : [],
  });
}
