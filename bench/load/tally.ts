/** The driver's own counts and latencies (the MM processes keep theirs; the report merges both). */
import { LatencyHistogram } from './histogram.ts';

export class Tally {
  sent = 0;
  acked = 0;
  /** Creates that failed, by code. */
  createFailures: Record<string, number> = {};
  /** Every other failure of the driver, by "stage:CODE" (read, accept). */
  errors: Record<string, number> = {};
  /** Intended send time → the gateway's answer to POST /rfqs. */
  readonly createAck = new LatencyHistogram();
  /** Actual − intended send time: how far the generator itself fell behind its schedule. */
  readonly sendLag = new LatencyHistogram();
  // lifecycle, the user's side
  quoted = 0;
  unquoted = 0;
  accepted = 0;
  executed = 0;
  /** Accepted RFQs that ended without a position, by why. */
  ended: Record<string, number> = {};
  readonly acceptToExecuted = new LatencyHistogram();
  readonly createToExecuted = new LatencyHistogram();

  get failed(): number {
    return Object.values(this.createFailures).reduce((a, b) => a + b, 0);
  }

  failCreate(code: string): void {
    this.createFailures[code] = (this.createFailures[code] ?? 0) + 1;
  }

  fail(stage: string, code: string): void {
    const key = `${stage}:${code}`;
    this.errors[key] = (this.errors[key] ?? 0) + 1;
  }

  end(why: string): void {
    this.ended[why] = (this.ended[why] ?? 0) + 1;
  }
}
