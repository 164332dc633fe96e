/**
 * What the gateway sends on a channel, before encoding: each engine event becomes one of these per
 * channel it concerns, gets the channel's next sequence number, and is encoded once per encoding
 * (JSON: the seed's event names and payloads; binary: parlay.v1.Event).
 */
import type { QuoteView, RfqStatus, RfqView } from '../../machines/domain.ts';
import type { Micro } from '../../machines/money.ts';

export type WireEventBody =
  | { kind: 'rfq:created'; rfq: RfqView; liveQuotes: number }
  | { kind: 'rfq:status'; status: RfqStatus; acceptedQuoteId: string | null }
  | { kind: 'rfq:expired' }
  | { kind: 'rfq:cancelled'; reason: string }
  | { kind: 'rfq:quote_count'; liveQuotes: number }
  | { kind: 'rfq:quotes'; quotes: QuoteView[] }
  | { kind: 'quote:submitted'; quote: QuoteView; replacedQuoteId: string | null }
  | {
      kind: 'quote:withdrawn' | 'quote:expired' | 'quote:rejected';
      quoteId: string;
      mmId: string;
      reason: string;
    }
  | { kind: 'quote:accepted'; quote: QuoteView; confirmDeadline: number }
  | { kind: 'quote:confirmed'; quoteId: string; mmId: string; collateralMicro: Micro }
  | {
      /** quote:executed on a market maker's channel, position:created on a user's: the same fact. */
      kind: 'quote:executed' | 'position:created';
      quoteId: string;
      mmId: string;
      positionAddress: string;
      signature: string;
      collateralMicro: Micro;
      txUrl: string | null;
      positionUrl: string | null;
    }
  | {
      kind: 'position:settled';
      quoteId: string;
      mmId: string;
      positionAddress: string;
      outcome: 'win' | 'loss';
      payoutMicro: Micro;
      feeMicro: Micro;
      signature: string;
      txUrl: string | null;
    }
  | {
      kind: 'position:cancelled';
      quoteId: string;
      mmId: string;
      positionAddress: string | null;
      reason: string;
      signature: string | null;
      txUrl: string | null;
    }
  | { kind: 'position:error'; error: string };

export type WireEventKind = WireEventBody['kind'];

export type WireEvent = WireEventBody & { channel: string; seq: number; at: number; rfqId: string };

export type ChannelKind = 'open' | 'mm' | 'rfq' | 'user';

/** A channel's state at a sequence number: what a subscriber starts from when it cannot resume. */
export interface SnapshotData {
  kind: ChannelKind;
  /** open: the board (each with only the viewer's quotes); user: the user's recent RFQs. */
  rfqs: Array<{ rfq: RfqView; liveQuotes: number }>;
  /** mm: the MM's live quotes. */
  quotes: QuoteView[];
  /** mm: accepted quotes awaiting this MM's confirm. */
  pendingConfirms: Array<{ quote: QuoteView; confirmDeadline: number }>;
  /** rfq: the RFQ with every quote. */
  rfq: RfqView | null;
}
