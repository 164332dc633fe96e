/**
 * The Redis key layout of one engine. Every key carries the prefix as a hash tag (`{prefix}`), so in a
 * cluster all of them live in one slot and a commit stays one atomic script.
 *
 *   {p}:snap    hash  rfqId → persisted actor snapshot (JSON); terminal ones until their events are in Postgres
 *   {p}:live    zset  rfqId, score = next deadline (Unix ms, +inf when none): the live RFQs, for recovery
 *   {p}:ended   zset  rfqId, score = seq after which its snapshot may be deleted (once Postgres has it)
 *   {p}:events  zset  event JSON, score = seq: the write-behind buffer the Postgres writer drains
 *   {p}:seq     string last committed seq; never deleted, so its absence means "Redis came back empty"
 *   {p}:undo    hash  pre-images of the last commit, to undo it if its outcome was uncertain
 */
export interface RedisKeys {
  snap: string;
  live: string;
  ended: string;
  events: string;
  seq: string;
  undo: string;
}

export function redisKeys(prefix: string): RedisKeys {
  const base = `{${prefix}}`;
  return {
    snap: `${base}:snap`,
    live: `${base}:live`,
    ended: `${base}:ended`,
    events: `${base}:events`,
    seq: `${base}:seq`,
    undo: `${base}:undo`,
  };
}

/** The keys in the order the scripts take them. */
export const keyList = (k: RedisKeys): string[] => [k.snap, k.live, k.ended, k.events, k.seq, k.undo];
