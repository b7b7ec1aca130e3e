import type { Cluster, Redis } from 'ioredis';

/**
 * Compare-and-set of one key: applies ARGV[3] (del | px | plain | keep | none) only when the key still holds
 * what the caller expects (ARGV[1] = '1' when it should exist, ARGV[2] = that value). One key, so it runs
 * on a Cluster too; checked inside Redis, so a command that arrives late cannot overwrite a newer value.
 */
const CAS_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == 'del' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == 'px' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
elseif ARGV[3] == 'plain' then
  redis.call('SET', KEYS[1], ARGV[4])
elseif ARGV[3] == 'keep' then
  redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
end
return 1
`;

/**
 * Adds ARGV[1] to the sorted set KEYS[1], scored by its expiry (ARGV[2] ms from now), after dropping members
 * already expired; refuses a new member once ARGV[3] live ones are listed. The set expires with its last member.
 * "Now" is the Redis server's clock (TIME), never a client's: membership must not depend on whose clock is right.
 */
const INDEX_ADD_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`;

/** Every member of the sorted set KEYS[1], which is deleted in the same step. */
const INDEX_TAKE_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return members
`;

export type CasMode = 'del' | 'px' | 'plain' | 'keep' | 'none';

/** The scripts as client commands (EVALSHA, with a fallback to EVAL the first time). */
export interface ScriptedClient {
  authkeepCas(
    key: string,
    existed: string,
    expected: string,
    mode: CasMode,
    value: string,
    ttl: string,
  ): Promise<number>;
  authkeepIndexAdd(key: string, member: string, ttlMs: string, max: string): Promise<number>;
  authkeepIndexTake(key: string): Promise<string[]>;
}

export function defineScripts(client: Redis | Cluster): ScriptedClient {
  client.defineCommand('authkeepCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
  client.defineCommand('authkeepIndexAdd', { numberOfKeys: 1, lua: INDEX_ADD_SCRIPT });
  client.defineCommand('authkeepIndexTake', { numberOfKeys: 1, lua: INDEX_TAKE_SCRIPT });
  return client as unknown as ScriptedClient;
}
