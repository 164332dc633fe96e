/**
 * Watches Kalshi for the outcome of executed positions (engine/settlement implements it). The engine
 * tracks a position once it executes and untracks it once it settles or is cancelled.
 */
import type { Leg } from '../../machines/domain.ts';

export interface SettlementSink {
  resolve(rfqId: string, outcome: 'win' | 'loss' | 'void'): void;
}

export interface SettlementWatcher {
  attach(sink: SettlementSink): void;
  track(rfqId: string, legs: Leg[]): void;
  untrack(rfqId: string): void;
}
