/** Why persistence refused or failed, as typed errors the engine and the logs can tell apart. */

export type CommitFailure =
  /** Redis is not connected (or an earlier commit is still being resolved): nothing was sent. */
  | 'unavailable'
  /** Redis did not confirm in time or the connection dropped: the batch is undone if it landed. */
  | 'uncertain'
  /** Redis holds a later sequence than this batch expects: another writer, or a stale engine. */
  | 'sequence_conflict'
  /** Too many events wait for Postgres: commands are refused until the writer catches up. */
  | 'backlog_full';

export class SnapshotCommitError extends Error {
  override readonly name = 'SnapshotCommitError';
  constructor(
    readonly failure: CommitFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value read back from a store that is not what was written (corrupt JSON, a missing field). */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
  constructor(
    readonly where: string,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** Postgres returned a BIGINT beyond 2^53: money and times must stay exact, so it is refused. */
export class UnsafeIntegerError extends Error {
  override readonly name = 'UnsafeIntegerError';
  constructor(readonly raw: string) {
    super(`bigint ${raw} is not a safe integer`);
  }
}

export class DuplicateApiKeyError extends Error {
  override readonly name = 'DuplicateApiKeyError';
  constructor(readonly keyPrefix: string) {
    super(`an api key with this hash already exists (${keyPrefix})`);
  }
}
