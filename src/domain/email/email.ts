import { ValidationError } from '../errors.js';
import { emailScriptProblem } from './email-scripts.js';

/**
 * Email identity (used for uniqueness and look-ups; the address is stored and shown as given):
 * 1. Refused: invisible characters anywhere — controls, format characters (zero-width space/joiners,
 *    bidi embeddings, overrides and isolates, soft hyphen, BOM), other default-ignorable code points
 *    (variation selectors, Hangul fillers), separators, unassigned and private-use code points.
 * 2. Refused: a word (the text between `@` and `.`) mixing scripts, e.g. a Cyrillic `а` among Latin
 *    letters (see email-scripts.ts; Latin with Han/Kana, Bopomofo or Hangul is allowed, as UTS #39's
 *    "highly restrictive" level allows).
 * 3. The key: trimmed, NFKC (fullwidth `ｋ`, the Kelvin sign `K`, ligatures become plain letters),
 *    lower-cased, then the full Unicode case folds `toLowerCase` lacks (ß and ẞ → ss, final ς → σ, the
 *    iota subscript → ι, Cyrillic letter variants), then NFKC again. Dotless `ı` stays distinct from `i`
 *    (Unicode's default folding, not the Turkish one), so `kıte@` is not `kite@`.
 * The consequence callers must keep: a look-up by a look-alike (`\u212Aate@…`) finds the same account
 * as `kate@…`, so mail must go to the stored address, never to the address typed in.
 */
export type EmailIdentity =
  | { ok: true; key: string }
  | { ok: false; rule: 'invisible_character' | 'mixed_script' | 'malformed'; message: string };

/** Before normalisation: NFKC may expand a code point up to 18 times, so the input is bounded first. */
const MAX_INPUT_LENGTH = 1024;
const MAX_KEY_LENGTH = 320;

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Z}\p{Default_Ignorable_Code_Point}]/u;

/** The full case folds (CaseFolding.txt status F, and C where it differs) that NFKC + toLowerCase miss. */
const EXTRA_FOLDS: Readonly<Record<string, string>> = {
  ß: 'ss',
  ς: 'σ',
  '\u0345': 'ι',
  '\u1c80': 'в',
  '\u1c81': 'д',
  '\u1c82': 'о',
  '\u1c83': 'с',
  '\u1c84': 'т',
  '\u1c85': 'т',
  '\u1c86': 'ъ',
  '\u1c87': 'ѣ',
  '\u1c88': 'ꙋ',
};
const EXTRA_FOLD_PATTERN = new RegExp(
  `[${Object.keys(EXTRA_FOLDS)
    .map((c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`)
    .join('')}]`,
  'gu',
);

function fold(text: string): string {
  // NFD exposes the iota subscript of precomposed Greek letters (ᾳ → α + U+0345) to the table.
  const lowered = text.normalize('NFKC').toLowerCase().normalize('NFD');
  return lowered.replace(EXTRA_FOLD_PATTERN, (c) => EXTRA_FOLDS[c] ?? c).normalize('NFKC');
}

/** Printable ASCII without spaces: NFKC and the extra folds leave it as it is, and it is one script (Latin). */
const PLAIN_ASCII = /^[\x21-\x7e]+$/;

/** The identity key of an address, or which rule it breaks; never throws (adoption reports, not fails). */
export function emailIdentity(email: string): EmailIdentity {
  const trimmed = email.trim();
  // Most addresses: the rules below reduce to lower-casing, without three Unicode normalisations per look-up.
  if (trimmed.length <= MAX_KEY_LENGTH && PLAIN_ASCII.test(trimmed)) {
    return { ok: true, key: trimmed.toLowerCase() };
  }
  return unicodeEmailIdentity(trimmed);
}

/** emailIdentity's general path, for any trimmed address (exported so tests can hold the fast path to it). */
export function unicodeEmailIdentity(trimmed: string): EmailIdentity {
  if (trimmed.length === 0 || trimmed.length > MAX_INPUT_LENGTH || !trimmed.isWellFormed()) {
    return { ok: false, rule: 'malformed', message: 'email must be a non-empty, well-formed address' };
  }
  if (INVISIBLE.test(trimmed)) {
    return {
      ok: false,
      rule: 'invisible_character',
      message: 'email must not contain invisible characters (zero-width, bidi controls, separators)',
    };
  }
  const key = fold(trimmed);
  // Compatibility forms can expand into spaces (U+FDFA): the key is checked as well as the input.
  if (INVISIBLE.test(key)) {
    return {
      ok: false,
      rule: 'invisible_character',
      message: 'email must not contain characters that normalise to spaces or controls',
    };
  }
  if (key.length > MAX_KEY_LENGTH) {
    return { ok: false, rule: 'malformed', message: `email is longer than ${MAX_KEY_LENGTH} characters` };
  }
  const mixed = emailScriptProblem(key);
  if (mixed) return { ok: false, rule: 'mixed_script', message: mixed };
  return { ok: true, key };
}

/** The identity key of an address (see above); a ValidationError naming the broken rule otherwise. */
export function normalizeEmail(email: string): string {
  const identity = emailIdentity(email);
  if (identity.ok) return identity.key;
  throw new ValidationError(identity.message, { details: { field: 'email', rule: identity.rule } });
}

/** The key to look an address up by, or null when no stored identity can match it (it breaks a rule). */
export function emailLookupKey(email: string): string | null {
  const identity = emailIdentity(email);
  return identity.ok ? identity.key : null;
}
