/**
 * Settles the trading pool's markets through the Kalshi simulator's admin API, consistently with
 * their structure — at most one `yes` per mutually exclusive event, threshold ladders monotone — as
 * Kalshi would: the risk engine sized collateral for consistent outcomes only, so an impossible
 * combination would not be a fair test of it. A few markets are voided to show refunds.
 */
import type { MarketFacts } from '../../engine/ports/markets.ts';

export interface Resolution {
  ticker: string;
  result: 'yes' | 'no' | 'void';
}

/** Results for these markets, drawn at random but consistent with their facts. */
export function drawResults(
  facts: readonly MarketFacts[],
  random: () => number,
  voidShare: number,
): Resolution[] {
  const out: Resolution[] = [];
  const byGroup = new Map<string, MarketFacts[]>();
  for (const f of facts) {
    const key = f.mutuallyExclusive ? `x:${f.eventTicker}` : f.ladder ? `l:${f.ladder.key}` : `i:${f.ticker}`;
    const group = byGroup.get(key) ?? [];
    group.push(f);
    byGroup.set(key, group);
  }
  for (const [key, group] of byGroup) {
    if (key.startsWith('x:')) {
      // One winner among these, or (as often as any one of them) a market of the event we did not trade.
      const winner = Math.floor(random() * (group.length + 1));
      for (const [i, f] of group.entries())
        out.push({ ticker: f.ticker, result: i === winner ? 'yes' : 'no' });
    } else if (key.startsWith('l:')) {
      const strike = (f: MarketFacts) => f.ladder?.floorStrike ?? f.ladder?.capStrike ?? 0;
      const sorted = [...group].sort((a, b) => strike(a) - strike(b));
      const cut = Math.floor(random() * (sorted.length + 1));
      sorted.forEach((f, i) => {
        const above = f.ladder?.strikeType === 'greater' || f.ladder?.strikeType === 'greater_or_equal';
        // The underlying lands between strike cut-1 and strike cut: "above" markets below it are yes.
        out.push({ ticker: f.ticker, result: i < cut === above ? 'yes' : 'no' });
      });
    } else {
      for (const f of group)
        out.push({ ticker: f.ticker, result: random() < voidShare ? 'void' : random() < 0.5 ? 'yes' : 'no' });
    }
  }
  return out;
}

async function admin(adminUrl: string, ticker: string, action: string, body?: unknown): Promise<void> {
  const res = await fetch(`${adminUrl}/markets/${encodeURIComponent(ticker)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  // 409: the market already moved past this step (a re-run), which is what we wanted anyway.
  if (!res.ok && res.status !== 409)
    throw new Error(`simulator ${action} ${ticker}: ${res.status} ${await res.text()}`);
}

/** Determines and finalizes (or voids) each market in the simulator. */
export async function applyResults(adminUrl: string, results: readonly Resolution[]): Promise<void> {
  for (const r of results) {
    if (r.result === 'void') {
      await admin(adminUrl, r.ticker, 'void');
      continue;
    }
    await admin(adminUrl, r.ticker, 'determine', { result: r.result });
    await admin(adminUrl, r.ticker, 'finalize');
  }
}
