import type { Cluster, Redis } from 'ioredis';

/**
 * The record cache's look-up: the key's value; when absent, the caller's reservation (ARGV[1], for ARGV[2] ms)
 * takes its place; with KEYS[2], the owner-revocations value too. One round trip for a hit and for a miss.
 */
const LOOKUP_SCRIPT = `
local value = redis.call('GET', KEYS[1])
if not value then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
local revocations = false
if KEYS[2] then revocations = redis.call('GET', KEYS[2]) end
return { value, revocations }
`;

/**
 * The record cache's fill: stores ARGV[2] for ARGV[3] ms only while KEYS[1] still holds the ticket ARGV[1]. With
 * KEYS[2] (the owner's index) and KEYS[3] (the revocations value), only while that value is still ARGV[5]
 * (ARGV[4] = '1' when it existed), and only once the key is listed for ARGV[6] ms (at most ARGV[7] live members),
 * scored by the Redis server's clock (TIME), never a client's; the member is ARGV[8], the key without the
 * namespace. All or nothing, in one step.
 */
const FILL_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if KEYS[2] then
  local revocations = redis.call('GET', KEYS[3])
  if ARGV[4] == '1' then
    if revocations ~= ARGV[5] then return 0 end
  elseif revocations then
    return 0
  end
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) and not redis.call('ZSCORE', KEYS[2], ARGV[8]) then
    return 0
  end
  local until_ms = now + tonumber(ARGV[6])
  redis.call('ZADD', KEYS[2], 'GT', until_ms, ARGV[8])
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[2], last[2])
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** Deletes every key in KEYS and, with ARGV[1], publishes ARGV[2] on that channel in the same step. */
const REVOKE_SCRIPT = `
for i = 1, #KEYS, 500 do
  redis.call('DEL', unpack(KEYS, i, math.min(i + 499, #KEYS)))
end
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return #KEYS
`;

/**
 * An owner's revocation: sets the revocations value KEYS[1] to ARGV[1] (fills that read the old one give up),
 * takes the index KEYS[2], deletes every key it lists (each under the namespace ARGV[4]) and, with ARGV[2],
 * publishes ARGV[3]; returns the keys it listed.
 */
const REVOKE_OWNER_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1])
local members = redis.call('ZRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
for _, member in ipairs(members) do redis.call('DEL', ARGV[4] .. member) end
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return members
`;

/** The record scripts as client commands (EVALSHA, falling back to EVAL once per connection). */
export interface RecordScripts {
  authkeepLookup(key: string, reservation: string, ttlMs: string): Promise<[string | null, null]>;
  authkeepLookupWithRevocations(
    key: string,
    revocationsKey: string,
    reservation: string,
    ttlMs: string,
  ): Promise<[string | null, string | null]>;
  authkeepFill(key: string, ticket: string, entry: string, ttlMs: string): Promise<number>;
  authkeepFillListed(
    key: string,
    indexKey: string,
    revocationsKey: string,
    ticket: string,
    entry: string,
    ttlMs: string,
    existed: string,
    revocations: string,
    listedMs: string,
    maxMembers: string,
    member: string,
  ): Promise<number>;
  authkeepRevoke(numberOfKeys: number, ...keysThenArgs: string[]): Promise<number>;
  authkeepRevokeOwner(
    revocationsKey: string,
    indexKey: string,
    revocation: string,
    channel: string,
    payload: string,
    namespace: string,
  ): Promise<string[]>;
}

export function defineRecordScripts(client: Redis | Cluster): RecordScripts {
  client.defineCommand('authkeepLookup', { numberOfKeys: 1, lua: LOOKUP_SCRIPT });
  client.defineCommand('authkeepLookupWithRevocations', { numberOfKeys: 2, lua: LOOKUP_SCRIPT });
  client.defineCommand('authkeepFill', { numberOfKeys: 1, lua: FILL_SCRIPT });
  client.defineCommand('authkeepFillListed', { numberOfKeys: 3, lua: FILL_SCRIPT });
  // Variable key count: given as the first argument of each call.
  client.defineCommand('authkeepRevoke', { lua: REVOKE_SCRIPT });
  client.defineCommand('authkeepRevokeOwner', { numberOfKeys: 2, lua: REVOKE_OWNER_SCRIPT });
  return client as unknown as RecordScripts;
}
