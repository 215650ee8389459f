/**
 * Seeded mutations of JSON request bodies: values replaced by other types and extremes, keys dropped or added,
 * deep nesting, long strings, and byte-level damage of the serialised text.
 */

type Rand = () => number;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const int = (rand: Rand, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)]!;

const nest = (depth: number): Json => (depth === 0 ? 1 : [nest(depth - 1)]);

const INTERESTING: readonly (() => Json)[] = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -1,
  () => 1,
  () => 0.5,
  () => -0,
  () => 1e308,
  () => -1e308,
  () => 5e-324,
  () => 2 ** 53 + 1,
  () => 1e9,
  () => '',
  () => 'x',
  () => 'a..',
  () => '../../etc/passwd',
  () => 'datasets//etc/passwd',
  () => `datasets/${'x'.repeat(300)}`,
  () => 'a'.repeat(128),
  () => 'a'.repeat(70_000),
  () => '\u0000\u001f',
  () => 'é☃\u{1f600}',
  () => '<script>alert(1)</script>',
  () => 'NaN',
  () => '1e309',
  () => [],
  () => ({}),
  () => [1, 2, 3],
  () => Array.from({ length: 5000 }, (_, i) => i),
  () => ({ __proto__: { polluted: true } }) as unknown as Json,
  () => JSON.parse('{"__proto__":{"polluted":true}}') as Json,
  () => ({ constructor: { prototype: { polluted: true } } }),
  () => nest(20),
  () => nest(40),
];

/**
 * A mutated serialisation of `seed` (a valid request body), chosen with `rand`.
 *
 * @example
 * ```ts
 * const text = mutateJson({ version: 1 }, seededRandom(3));
 * ```
 */
export function mutateJson(seed: Json, rand: Rand): { kind: string; text: string } {
  const value = structuredClone(seed);
  const op = pick(rand, ['replace', 'replace', 'drop', 'add', 'root', 'text', 'valid'] as const);
  if (op === 'root') return { kind: 'root', text: JSON.stringify(pick(rand, INTERESTING)()) };
  if (op === 'valid') return { kind: 'valid', text: JSON.stringify(value) };
  if (op === 'text') return { kind: 'text', text: damageText(JSON.stringify(value), rand) };
  const containers = collect(value);
  const target = pick(rand, containers);
  const keys = Object.keys(target);
  if (op === 'add' || keys.length === 0) {
    const key = Array.isArray(target)
      ? String(target.length)
      : pick(rand, ['extra', 'options', '__proto__', 'x'.repeat(200), '']);
    (target as Record<string, Json>)[key] = pick(rand, INTERESTING)();
    return { kind: 'add', text: JSON.stringify(value) };
  }
  const key = pick(rand, keys);
  if (op === 'drop') {
    if (Array.isArray(target)) target.splice(Number(key), 1);
    else delete (target as Record<string, Json>)[key];
    return { kind: 'drop', text: JSON.stringify(value) };
  }
  (target as Record<string, Json>)[key] = pick(rand, INTERESTING)();
  return { kind: 'replace', text: JSON.stringify(value) };
}

function collect(value: Json): (Json[] | { [key: string]: Json })[] {
  const out: (Json[] | { [key: string]: Json })[] = [];
  const visit = (v: Json) => {
    if (v === null || typeof v !== 'object') return;
    out.push(v);
    for (const child of Object.values(v)) visit(child);
  };
  visit(value);
  return out.length > 0 ? out : [{}];
}

function damageText(text: string, rand: Rand): string {
  const at = int(rand, text.length + 1);
  const op = pick(rand, ['truncate', 'insert', 'delete', 'duplicate-key', 'deep'] as const);
  if (op === 'truncate') return text.slice(0, at);
  if (op === 'insert')
    return (
      text.slice(0, at) + pick(rand, ['{', '}', '[', '"', '\\', ',', ':', '\u0000', 'null']) + text.slice(at)
    );
  if (op === 'delete') return text.slice(0, at) + text.slice(at + 1 + int(rand, 8));
  if (op === 'duplicate-key' && text.startsWith('{') && text.length > 2)
    return `{${text.slice(1, -1)},${text.slice(1)}`;
  const depth = pick(rand, [33, 1000, 100_000]);
  return `{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}
