/**
 * The Lua scripts that make a commit atomic. A script runs alone in Redis, and each one checks before
 * it writes, so no error can leave half a batch behind (Redis does not roll back a failed MULTI or script).
 * KEYS are always keyList(): snap, live, ended, events, seq, undo.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * commit. ARGV: token, expectedPrevSeq (-1: no events, no check), lastSeq, snapshotCount,
 * then per snapshot: rfqId, terminal (0|1), score, json; then per event: seq, json.
 * Saves the pre-images of what it overwrites under `undo`, tagged with the token.
 */
export const COMMIT_LUA = `
local cur = tonumber(redis.call('GET', KEYS[5]) or '0')
local expect = tonumber(ARGV[2])
if expect >= 0 and cur ~= expect then
  return redis.error_reply('SEQ_CONFLICT redis holds seq ' .. cur .. ', batch expects ' .. expect)
end
redis.call('DEL', KEYS[6])
redis.call('HSET', KEYS[6], 'token', ARGV[1], 'prev', tostring(cur), 'last', ARGV[3],
  'hadSeq', tostring(redis.call('EXISTS', KEYS[5])))
local n = tonumber(ARGV[4])
local i = 5
for _ = 1, n do
  local id, terminal, score, json = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local old = redis.call('HGET', KEYS[1], id)
  local oldLive = redis.call('ZSCORE', KEYS[2], id)
  local oldEnded = redis.call('ZSCORE', KEYS[3], id)
  redis.call('HSET', KEYS[6], 's:' .. id, old and ('1' .. old) or '0',
    'l:' .. id, oldLive or '', 'e:' .. id, oldEnded or '')
  redis.call('HSET', KEYS[1], id, json)
  if terminal == '1' then
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZADD', KEYS[3], ARGV[3], id)
  else
    redis.call('ZADD', KEYS[2], score, id)
    redis.call('ZREM', KEYS[3], id)
  end
  i = i + 4
end
while i <= #ARGV do
  redis.call('ZADD', KEYS[4], ARGV[i], ARGV[i + 1])
  i = i + 2
end
if expect >= 0 then redis.call('SET', KEYS[5], ARGV[3]) end
return 1
`;

/**
 * resolve. ARGV: token. If the last commit that landed carries this token, puts every key back as it
 * was before it and returns 1; otherwise (the commit never landed) returns 0 and changes nothing.
 */
export const RESOLVE_LUA = `
if redis.call('HGET', KEYS[6], 'token') ~= ARGV[1] then return 0 end
local u = redis.call('HGETALL', KEYS[6])
local prev, last, hadSeq = '0', '0', '0'
for i = 1, #u, 2 do
  local f, v = u[i], u[i + 1]
  local kind, id = string.sub(f, 1, 2), string.sub(f, 3)
  if kind == 's:' then
    if v == '0' then redis.call('HDEL', KEYS[1], id) else redis.call('HSET', KEYS[1], id, string.sub(v, 2)) end
  elseif kind == 'l:' then
    if v == '' then redis.call('ZREM', KEYS[2], id) else redis.call('ZADD', KEYS[2], v, id) end
  elseif kind == 'e:' then
    if v == '' then redis.call('ZREM', KEYS[3], id) else redis.call('ZADD', KEYS[3], v, id) end
  elseif f == 'prev' then prev = v
  elseif f == 'last' then last = v
  elseif f == 'hadSeq' then hadSeq = v
  end
end
if tonumber(last) > tonumber(prev) then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '(' .. prev, last)
  if hadSeq == '1' then redis.call('SET', KEYS[5], prev) else redis.call('DEL', KEYS[5]) end
end
redis.call('DEL', KEYS[6])
return 1
`;

/**
 * trim. ARGV: storedSeq. Postgres holds every event up to storedSeq: drop them from the buffer and
 * delete the snapshots of RFQs that ended at or before it. Returns how many snapshots went.
 */
export const TRIM_LUA = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
for i = 1, #ids, 500 do
  redis.call('HDEL', KEYS[1], unpack(ids, i, math.min(i + 499, #ids)))
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', ARGV[1])
return #ids
`;

/** A script run by its SHA1 (one short command per commit), loaded again after a Redis restart. */
export class LuaScript {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // NOSCRIPT means Redis ran nothing (its script cache is empty after a restart): safe to send again.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return redis.eval(this.source, keys.length, ...keys, ...args);
      throw error;
    }
  }
}

export const commitScript = new LuaScript(COMMIT_LUA);
export const resolveScript = new LuaScript(RESOLVE_LUA);
export const trimScript = new LuaScript(TRIM_LUA);
