/** A small seeded PRNG (mulberry32), so a failing fuzz run can be replayed from its printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(depth: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'cycle' };
  a.self = a;
  return a;
}

const SQL_SHAPED = [
  `'; drop table users; --`,
  `" or 1=1 --`,
  `id = id`,
  `users.email`,
  `$1`,
  `?`,
  `\\x00`,
  `"; select pg_sleep(10); --`,
];

/** Hostile scalars: NUL bytes, huge and malformed strings, SQL shapes, bad numbers and dates, wrong types. */
export function hostileScalars(): unknown[] {
  return [
    'a\u0000b',
    '\u0000',
    'x'.repeat(1_000_000),
    'y'.repeat(300),
    '\ud800',
    '',
    ' ',
    ...SQL_SHAPED,
    NaN,
    Infinity,
    -1,
    2 ** 53,
    1.5,
    0,
    true,
    null,
    undefined,
    new Date('invalid'),
    new Date(8.64e15),
    new Date(-1e15),
    new Date(),
    10n,
    Symbol('s'),
    () => 1,
    [],
    ['a', 1, null],
    new Map([['a', 1]]),
    Buffer.from('buf'),
    Object.create(null),
  ];
}

/** Hostile objects: deep JSON, cycles, SQL-shaped and prototype keys, wrong field types, huge payloads. */
export function hostileObjects(valid: Record<string, unknown>[]): unknown[] {
  const objects: unknown[] = [
    deep(50),
    deep(5000),
    cyclic(),
    { [SQL_SHAPED[0]!]: 'x' },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    { metadata: deep(100) },
    { metadata: { big: 'z'.repeat(200_000) } },
    { metadata: cyclic() },
    { email: 'a\u0000@x.io' },
    { email: 123 },
    { expiresAt: 'tomorrow' },
    { expiresAt: new Date('nope') },
    { entitlements: 'all' },
    { scopes: [deep(10)] },
    { seats: -5 },
    { members: [{ userId: 1, role: 'god', joinedAt: 'x' }] },
    { permissions: [{ id: 'p', name: 'n', resource: 'r', action: 'a', metadata: cyclic() }] },
    { type: 'saml', tenantId: 'x'.repeat(1000) },
    { id: 'injected', createdAt: 'never', updatedAt: 0 },
  ];
  // Valid records with one field replaced by a hostile value: the shape a real caller bug produces.
  for (const record of valid) {
    for (const key of Object.keys(record)) {
      for (const bad of ['a\u0000b', NaN, new Date('x'), deep(40), SQL_SHAPED[0], 'q'.repeat(70_000)]) {
        objects.push({ ...record, [key]: bad });
      }
    }
  }
  return objects;
}
