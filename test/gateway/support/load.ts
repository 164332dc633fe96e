/** Creating many RFQs fast: straight through the engine, in parallel batches (one commit per batch). */
import type { TestGateway } from './server.ts';

const FIVE_LEGS = ['KXA-26-T1', 'KXB-26-T2', 'KXC-26-T3', 'KXD-26-T4', 'KXE-26-T5'].map((ticker) => ({
  ticker,
  side: 'yes' as const,
}));

export async function createRfqs(t: TestGateway, count: number, userId = 'user-1'): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, count - done) }, () =>
        t.engine.createRfq(userId, { legs: FIVE_LEGS, betMicro: 50_000_000 }),
      ),
    );
    for (const r of batch) {
      if (!r.ok) throw r.error;
      ids.push(r.value.id);
    }
  }
  return ids;
}
