import { describe, expect, it } from 'vitest';
import { timingSafeEqualText } from '../../../functions/api/src/auth.js';

describe('timingSafeEqualText', () => {
  const secret = 'bench-token-0123456789abcdef';

  it('accepts only the exact secret', () => {
    expect(timingSafeEqualText(secret, secret)).toBe(true);
    expect(timingSafeEqualText(`${secret.slice(0, -1)}g`, secret)).toBe(false);
    expect(timingSafeEqualText(`x${secret.slice(1)}`, secret)).toBe(false);
  });

  it('refuses a prefix, an extension and the empty string, whose bytes agree as far as they go', () => {
    expect(timingSafeEqualText(secret.slice(0, 8), secret)).toBe(false);
    expect(timingSafeEqualText(`${secret}0`, secret)).toBe(false);
    expect(timingSafeEqualText('', secret)).toBe(false);
    // A given string that is the secret followed by NUL bytes reads the same where the loop looks.
    expect(timingSafeEqualText(`${secret}\0`, secret)).toBe(false);
  });

  it('compares UTF-8 bytes, not UTF-16 code units', () => {
    expect(timingSafeEqualText('pässwörd-ünïcode', 'pässwörd-ünïcode')).toBe(true);
    expect(timingSafeEqualText('pässwörd-ünïcodé', 'pässwörd-ünïcode')).toBe(false);
  });
});
