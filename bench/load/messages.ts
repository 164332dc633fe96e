/** What the load generator and its MM processes say to each other over IPC. */
import type { LoadMode } from './args.ts';
import type { MmCreds } from './credentials.ts';
import type { HistogramState } from './histogram.ts';

export interface WorkerInit {
  type: 'init';
  wsUrl: string;
  mode: LoadMode;
  /** This process's MMs, each with its index among all MMs (which RFQs it quotes depends on it). */
  mms: Array<MmCreds & { index: number }>;
  totalMms: number;
  quotesPerRfq: number;
  /** The generator's users: RFQs of anyone else (a shared gateway) are counted apart, never quoted. */
  userIds: string[];
  /** Yes probability per ticker, for pricing quotes. */
  prices: Array<[string, number]>;
  marginBps: { min: number; max: number };
  quoteValidForMs: number;
  connectTimeoutMs: number;
}

export type ToWorker =
  | WorkerInit
  /** The measured window starts: CPU is counted from here. */
  | { type: 'mark' }
  /** RFQs the gateway acknowledged, with their intended send time (monotonic ms). */
  | { type: 'sent'; rfqs: Array<[string, number]> }
  | { type: 'stats' }
  /** No more RFQs: receipts still unmatched are counted as such, a final report follows. */
  | { type: 'finish' }
  | { type: 'stop' };

export interface WorkerStats {
  final: boolean;
  /** CPU (user + system) and wall time since 'mark'. */
  cpuUs: number;
  wallMs: number;
  connected: number;
  /** rfq:created receipts of the generator's RFQs, matched with their send time. */
  deliveries: number;
  /** Receipts of the generator's users' RFQs whose create never came back acknowledged. */
  unmatched: number;
  /** Receipts of RFQs other users created (a gateway shared with real traffic). */
  foreign: number;
  /** create (intended send time) → MM receipt. */
  receipt: HistogramState;
  /** Lifecycle: quote sent → its ack. */
  quoteAck: HistogramState;
  quotes: number;
  confirms: number;
  gaps: number;
  /** Failures by "stage:CODE" (quote:RATE_LIMITED, confirm:CONFIRM_WINDOW_CLOSED, ws:close 4008, …). */
  errors: Record<string, number>;
  /** Since the previous stats: positions executed (rfq id, monotonic ms seen). */
  executed: Array<[string, number]>;
  /** Since the previous stats: accepted RFQs that ended without a position (rfq id, why). */
  ended: Array<[string, string]>;
}

export type FromWorker =
  | { type: 'connected'; connected: number; failures: Record<string, number>; firstFailure: string | null }
  | { type: 'stats'; stats: WorkerStats }
  /** Something the operator should see at once (the first disconnect of each kind). */
  | { type: 'notice'; text: string };
