/**
 * Mixed-script detection for email addresses. Each word (text between `@` and `.`) may use letters of
 * one script; digits, punctuation and combining marks (Common, Inherited) go with any. The exceptions
 * are UTS #39's "highly restrictive" sets: Latin with Han, Hiragana and Katakana (Japanese), with Han
 * and Bopomofo (Chinese), or with Han and Hangul (Korean). Whole-script look-alikes (an all-Cyrillic
 * `аррӏе`) are not detected: that needs the confusables table, which is not shipped here.
 */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Canadian_Aboriginal',
  'Coptic',
  'Runic',
  'Ogham',
].map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as const);

const NEUTRAL = /^[\p{Script=Common}\p{Script=Inherited}]$/u;

const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptOf(char: string): string | null {
  if (NEUTRAL.test(char)) return null;
  for (const [name, pattern] of SCRIPTS) if (pattern.test(char)) return name;
  return 'Other';
}

function isAllowed(scripts: ReadonlySet<string>): boolean {
  if (scripts.size <= 1) return true;
  return ALLOWED_MIXES.some((allowed) => [...scripts].every((script) => allowed.has(script)));
}

/** A message when some word of the (normalised) address mixes scripts, else null. */
export function emailScriptProblem(address: string): string | null {
  for (const word of address.split(/[@.]/)) {
    const scripts = new Set<string>();
    for (const char of word) {
      const script = scriptOf(char);
      if (script !== null) scripts.add(script);
    }
    if (!isAllowed(scripts)) {
      return `email mixes scripts within one part (${[...scripts].sort().join(' and ')}): a look-alike address is refused`;
    }
  }
  return null;
}
