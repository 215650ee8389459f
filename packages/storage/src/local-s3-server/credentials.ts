/**
 * The embedded S3 server's key pair: generated once per data folder at first start and kept beside the bucket
 * in a file only the owner can read; the data folder itself is made owner-only.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CorruptDataError } from '../errors.js';
import type { S3Credentials } from './sigv4.js';

/** File name of the key pair inside the data folder (a leading dot: no bucket can be named so). */
export const CREDENTIALS_FILE = '.graft-s3-credentials.json';

/**
 * Makes `dir` (mode 0700) and returns its key pair, creating `<dir>/.graft-s3-credentials.json` (mode 0600)
 * with a fresh random pair on first use. Looser modes found on the folder or file are tightened again.
 *
 * @example
 * ```ts
 * const { accessKeyId, secretAccessKey } = await dataFolderCredentials('.graft/s3');
 * ```
 */
export async function dataFolderCredentials(dir: string): Promise<S3Credentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = path.join(dir, CREDENTIALS_FILE);
  const fresh: S3Credentials = {
    accessKeyId: `GRAFT${randomBytes(10).toString('hex').toUpperCase().slice(0, 15)}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  try {
    await writeFile(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<S3Credentials>;
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new CorruptDataError(`${file} does not hold an accessKeyId and a secretAccessKey`);
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}
