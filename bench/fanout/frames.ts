/**
 * The frame the baselines publish: a real `rfqs:open` rfq:created event in the binary encoding, the
 * same bytes the gateway sends, pre-encoded once per RFQ id before the run (so the baselines pay no
 * encoding). Clients decode every frame the same way whichever server sent it.
 */
import { randomUUID } from 'node:crypto';
import { protoCodec } from '../../gateway/ws/protoCodec.ts';
import { openedContext, toRfqView } from '../../machines/rfqRules.ts';

export function rfqCreatedFrame(id: string, at: number): Uint8Array {
  const rfq = toRfqView(
    'open',
    openedContext({
      id,
      userId: 'bench-user',
      legs: [
        { ticker: 'KXA-26-T1', eventTicker: 'KXA-26', side: 'yes' },
        { ticker: 'KXB-26-T2', eventTicker: 'KXB-26', side: 'no' },
      ],
      betMicro: 50_000_000,
      feeBps: 100,
      createdAt: at,
      expiresAt: at + 300_000,
    }),
  );
  return protoCodec.encodeEvent({
    kind: 'rfq:created',
    rfq,
    liveQuotes: 0,
    channel: 'rfqs:open',
    seq: 1,
    at,
    rfqId: id,
  }) as Uint8Array;
}

export function preEncoded(count: number): Array<{ id: string; frame: Uint8Array }> {
  const at = Date.now();
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    return { id, frame: rfqCreatedFrame(id, at) };
  });
}
