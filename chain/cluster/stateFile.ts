/**
 * The embedded cluster's state file: JSON lines, so that persisting a transaction's effects is one
 * append (tens of µs) rather than a rewrite of every account.
 *
 *   line 1   header  {"format":"parlay-litesvm-state","version":1, programId, mint, treasury, keys, custodySeed}
 *   line 2…  changes {"sig":"<signature>|null","accounts":[{"address","lamports","owner","executable","data"}
 *                     | {"address","closed":true}], optionally "first"/"last" per account}
 *
 * Loading folds the lines in order (the last write of an address wins; `closed` removes it) and keeps,
 * per address, the first and last signature that touched it — recovery uses them to report a position
 * created or settled before a crash. A torn last line (crash mid-append) is ignored. `compact` rewrites
 * the file as header + one snapshot line through a temporary file and a rename, so a crash leaves the
 * old or the new file, never half of one. Appends are synchronous: a result is reported to the engine
 * only after its accounts are in the file.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const STATE_FORMAT = 'parlay-litesvm-state';
export const STATE_VERSION = 1;

export interface StateHeader {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  programId: string;
  mint: string;
  treasury: string;
  /** Dev keys of the embedded cluster (solana-keygen JSON form). Never used for a real cluster. */
  keys: { feePayer: number[]; admin: number[]; mintAuthority: number[] };
  /** Hex seed of local custody when it was generated for this state (none configured). */
  custodySeed: string | null;
}

export interface StoredAccount {
  lamports: bigint;
  owner: string;
  executable: boolean;
  data: Uint8Array;
}

export interface History {
  first: string | null;
  last: string | null;
}

export interface LoadedState {
  header: StateHeader;
  accounts: Map<string, StoredAccount>;
  history: Map<string, History>;
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

interface AccountLine {
  address: string;
  closed?: boolean;
  lamports?: string;
  owner?: string;
  executable?: boolean;
  data?: string;
  first?: string | null;
  last?: string | null;
}

function parseHeader(line: string, path: string): StateHeader {
  const header = JSON.parse(line) as Partial<StateHeader>;
  if (header.format !== STATE_FORMAT || header.version !== STATE_VERSION)
    throw new StateFileError(`${path}: not a ${STATE_FORMAT} v${STATE_VERSION} file`);
  return header as StateHeader;
}

export class StateFile {
  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  load(): LoadedState {
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const header = parseHeader(lines[0] ?? '', this.path);
    const accounts = new Map<string, StoredAccount>();
    const history = new Map<string, History>();
    for (let i = 1; i < lines.length; i++) {
      const text = lines[i] as string;
      if (text.trim() === '') continue;
      let record: { sig: string | null; accounts: AccountLine[] };
      try {
        record = JSON.parse(text) as typeof record;
      } catch (error) {
        if (i >= lines.length - 2) break; // the torn tail of an append cut short by a crash
        throw new StateFileError(`${this.path}:${i + 1}: ${(error as Error).message}`);
      }
      for (const a of record.accounts) {
        const seen = history.get(a.address) ?? { first: null, last: null };
        seen.first ??= a.first ?? record.sig;
        seen.last = record.sig ?? a.last ?? seen.last;
        history.set(a.address, seen);
        if (a.closed) accounts.delete(a.address);
        else
          accounts.set(a.address, {
            lamports: BigInt(a.lamports ?? '0'),
            owner: a.owner ?? '',
            executable: a.executable ?? false,
            data: new Uint8Array(Buffer.from(a.data ?? '', 'base64')),
          });
      }
    }
    return { header, accounts, history };
  }

  /** Records what one transaction changed: `null` for an account that no longer exists. */
  append(signature: string | null, changes: ReadonlyArray<[string, StoredAccount | null]>): void {
    if (changes.length === 0) return;
    const accounts = changes.map(([address, account]) =>
      account ? line(address, account) : { address, closed: true },
    );
    appendFileSync(this.path, `${JSON.stringify({ sig: signature, accounts })}\n`);
  }

  /** Rewrites the file as header + one snapshot line (history kept), atomically. */
  compact(state: LoadedState): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const snapshot: AccountLine[] = [];
    for (const [address, seen] of state.history) {
      const account = state.accounts.get(address);
      snapshot.push({ ...(account ? line(address, account) : { address, closed: true }), ...seen });
    }
    for (const [address, account] of state.accounts)
      if (!state.history.has(address)) snapshot.push(line(address, account));
    const tmp = `${this.path}.tmp`;
    writeFileSync(
      tmp,
      `${JSON.stringify(state.header)}\n${JSON.stringify({ sig: null, accounts: snapshot })}\n`,
    );
    renameSync(tmp, this.path);
  }
}

function line(address: string, account: StoredAccount): AccountLine {
  return {
    address,
    lamports: account.lamports.toString(),
    owner: account.owner,
    executable: account.executable,
    data: Buffer.from(account.data).toString('base64'),
  };
}
