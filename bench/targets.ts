import type { BenchResult } from './harness.js';

/**
 * The issues' targets, apart from the bars: a bar guards against regression (every round must clear it,
 * set near what is measured), a target is the goal an issue set for the median. The table shows both.
 */
interface Target {
  /** The case's name, or its start when `prefix` is set. */
  case: string;
  prefix?: boolean;
  /** The contender; any when omitted or ''. */
  versus?: string;
  /** What the table prints, e.g. "≥ 0.95 (issue 22)". */
  text: string;
  meets(result: BenchResult): boolean;
}

const medianAtLeast = (
  issue: number,
  caseName: string,
  versus: string,
  goal: number,
  prefix = false,
): Target => ({
  case: caseName,
  prefix,
  versus,
  text: `≥ ${goal} (#${issue})`,
  meets: (r) => r.ratio >= goal,
});

const p99Below = (issue: number, casePrefix: string, ms: number): Target => ({
  case: casePrefix,
  prefix: true,
  versus: '',
  text: `p99 < ${ms} ms (#${issue})`,
  meets: (r) => (r.extra?.p99_ms ?? Infinity) < ms,
});

export const TARGETS: readonly Target[] = [
  // Issue 22 item 4: plain PostgreSQL, SQLite and PgBouncer against their raw drivers.
  ...['getSession by token', 'getUser by email', 'createSession', 'deleteSession'].map((op) =>
    medianAtLeast(22, `${op}, PostgreSQL`, 'pg', 0.95),
  ),
  medianAtLeast(22, 'getSession, SQLite file', 'better-sqlite3', 0.85),
  medianAtLeast(22, 'getUserByEmail, SQLite file', 'better-sqlite3', 0.85),
  medianAtLeast(
    22,
    'getSession through PgBouncer (transaction mode)',
    'raw pg via the same PgBouncer',
    0.8,
    true,
  ),
  // Issue 22 items 1-3: what the caches cost.
  medianAtLeast(22, 'getSession, 0 % Redis hits', 'the same adapter without a cache', 0.8, true),
  medianAtLeast(
    22,
    'createSession + deleteSession, in-process tier (NOTIFY confirmed, batched)',
    'the same adapter without a cache',
    0.9,
  ),
  medianAtLeast(22, 'getSession, in-process tier hit (PostgreSQL bus)', 'raw pg named SELECT by digest', 20),
  medianAtLeast(22, 'getSession, in-process tier hits in 4 processes at once', '', 10, true),
  p99Below(22, 'revocation propagation to 4 ', 20),
  // Issue 23 item 6: better-auth.
  medianAtLeast(
    23,
    'better-auth adapter findOne session by token, PostgreSQL',
    '@better-auth/kysely-adapter',
    2,
  ),
  medianAtLeast(
    23,
    'better-auth auth.api.getSession end to end, PostgreSQL',
    '@better-auth/kysely-adapter',
    1.3,
  ),
  medianAtLeast(
    23,
    'better-auth auth.api.getSession end to end, PostgreSQL, in-process tier',
    '@better-auth/kysely-adapter',
    2,
  ),
  medianAtLeast(
    23,
    'better-auth auth.api.getSession end to end, PostgreSQL, in-process tier as a share of the ceiling',
    'better-auth memory adapter',
    0.85,
  ),
  // Issue 24: Auth.js.
  medianAtLeast(24, 'Auth.js getSessionAndUser, PostgreSQL', '', 1.5),
  medianAtLeast(24, 'Auth.js getSessionAndUser, PostgreSQL, in-process tier', '', 10),
];

/** Sets `target` and `meets_target` on every result an issue set a goal for. */
export function applyTargets(results: BenchResult[]): void {
  for (const result of results) {
    const target = TARGETS.find(
      (t) =>
        (t.prefix ? result.case.startsWith(t.case) : result.case === t.case) &&
        (!t.versus || t.versus === result.versus),
    );
    if (!target) continue;
    result.target = target.text;
    result.meets_target = target.meets(result);
  }
}
