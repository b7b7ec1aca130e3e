import type { Cluster, Redis } from 'ioredis';

/**
 * The secondary store's scripts. A value key is a hash: `v` the value, `g` its version, `d` the version of the
 * last delete (carried by later values). A tombstone is the same hash without `v`. Versions come from the
 * server's clock in microseconds, and always exceed the key's previous one: max(previous + 1, now + 1).
 * A read is a plain HMGET: an absent key (no tombstone either) answers version 0, below any delete, since a
 * delete after it leaves a tombstone that was not there. One key per script, so each runs on a Cluster too. Numbers are written with %.0f: Lua's tostring would
 * print a 16-digit version in exponent form and lose digits.
 */
const HELPERS = `
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function fmt(n) return string.format('%.0f', n) end
local function next_version(key)
  local g = tonumber(redis.call('HGET', key, 'g')) or 0
  return math.max(g + 1, now_us() + 1)
end
local function tombstone(key, ttl)
  local d = next_version(key)
  redis.call('DEL', key)
  redis.call('HSET', key, 'g', fmt(d), 'd', fmt(d))
  redis.call('PEXPIRE', key, ttl)
  return d
end
`;

/** ARGV: value, ttl ms (0: none), seen version ('' when the writer saw nothing). Version, or false if refused. */
const WRITE = `${HELPERS}
local d = tonumber(redis.call('HGET', KEYS[1], 'd')) or 0
if ARGV[3] ~= '' and d > tonumber(ARGV[3]) then return false end
local v = next_version(KEYS[1])
redis.call('DEL', KEYS[1])
if d > 0 then
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'g', fmt(v), 'd', fmt(d))
else
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'g', fmt(v))
end
if tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return fmt(v)
`;

/** ARGV: tombstone ttl ms. The tombstone's version. */
const DELETE = `${HELPERS}
return fmt(tombstone(KEYS[1], ARGV[1]))
`;

/** ARGV: tombstone ttl ms. {value or false, tombstone version}. */
const TAKE = `${HELPERS}
local v = redis.call('HGET', KEYS[1], 'v')
local d = tombstone(KEYS[1], ARGV[1])
return {v or false, fmt(d)}
`;

/** ARGV: ttl ms, set only by the increment that creates the counter. */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

export interface SecondaryScripts {
  secondaryWrite(key: string, value: string, ttlMs: string, seen: string): Promise<string | null>;
  secondaryDelete(key: string, tombstoneMs: string): Promise<string>;
  secondaryTake(key: string, tombstoneMs: string): Promise<[string | null, string]>;
  secondaryIncrement(key: string, ttlMs: string): Promise<number>;
}

/** Defines the scripts as client commands (EVALSHA, with EVAL the first time). */
export function defineSecondaryScripts(client: Redis | Cluster): SecondaryScripts {
  client.defineCommand('secondaryWrite', { numberOfKeys: 1, lua: WRITE });
  client.defineCommand('secondaryDelete', { numberOfKeys: 1, lua: DELETE });
  client.defineCommand('secondaryTake', { numberOfKeys: 1, lua: TAKE });
  client.defineCommand('secondaryIncrement', { numberOfKeys: 1, lua: INCREMENT });
  return client as unknown as SecondaryScripts;
}
