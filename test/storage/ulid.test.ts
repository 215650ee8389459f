import { ulid } from '@graft/storage';
import { describe, expect, it } from 'vitest';

describe('ulid', () => {
  it('is 26 Crockford characters and strictly increasing, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => ulid(1_700_000_000_000));
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ulid(1_800_000_000_000) > ids[999]!).toBe(true);
  });
});
