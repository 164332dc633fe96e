/**
 * Market-maker connections in their own process (so client work does not count as server CPU):
 * each connection decodes every frame (parlay.v1.ServerFrame) and stamps when each rfq:created
 * arrived. For the gateway each one authenticates (Ed25519 over the challenge) and subscribes to
 * rfqs:open; the baselines need neither.
 * Usage (the driver forks it, credentials over IPC): node --import tsx bench/fanout/clients.ts <url> <gateway|raw> <count>
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import WebSocket from 'ws';
import { signAuth, signingKey } from '../../gateway/auth/signing.ts';
import { ClientFrameSchema, ServerFrameSchema } from '../../gateway/proto/gen/parlay/v1/protocol_pb.ts';
import { SUBPROTOCOL } from '../../gateway/ws/messages.ts';
import { type ClientMessage, type DriverToClient, type MmCreds, monoMs } from './ipc.ts';

const [url, mode, countText] = process.argv.slice(2) as [string, 'gateway' | 'raw', string];
const count = Number(countText);
const receipts = new Map<string, number[]>();
let deliveries = 0;
let cpuMark = process.cpuUsage();
const send = (m: ClientMessage) => process.send?.(m);
const frame = (kind: Parameters<typeof create<typeof ClientFrameSchema>>[1]) =>
  toBinary(ClientFrameSchema, create(ClientFrameSchema, kind));

function connect(creds: MmCreds | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [SUBPROTOCOL.proto], { perMessageDeflate: false });
    ws.on('error', reject);
    if (mode === 'raw') ws.on('open', () => resolve());
    ws.on('message', (data: Buffer) => {
      const at = monoMs();
      const f = fromBinary(ServerFrameSchema, data);
      const k = f.kind;
      if (k.case === 'event' && k.value.body.case === 'rfqCreated') {
        deliveries++;
        const id = k.value.rfqId;
        const list = receipts.get(id);
        if (list) list.push(at);
        else receipts.set(id, [at]);
      } else if (k.case === 'challenge' && creds) {
        const ts = Date.now();
        ws.send(
          frame({
            kind: {
              case: 'auth',
              value: {
                apiKey: creds.apiKey,
                nonce: k.value.nonce,
                timestampMs: BigInt(ts),
                signature: signAuth(signingKey(creds.secret), k.value.nonce, ts),
              },
            },
          }),
        );
      } else if (k.case === 'authOk') {
        ws.send(frame({ kind: { case: 'subscribe', value: { channel: 'rfqs:open' } } }));
      } else if (k.case === 'snapshot') resolve();
    });
  });
}

process.once('message', async (creds: MmCreds[]) => {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        connect(mode === 'gateway' ? (creds[i + j] ?? null) : null),
      ),
    );
  }
  send({ type: 'ready' });
  process.on('message', (m: DriverToClient) => {
    if (m.type === 'mark') {
      receipts.clear();
      deliveries = 0;
      cpuMark = process.cpuUsage();
    } else if (m.type === 'count') {
      send({ type: 'count', deliveries });
    } else if (m.type === 'report') {
      const cpu = process.cpuUsage(cpuMark);
      send({ type: 'report', receipts: [...receipts], cpuUs: cpu.user + cpu.system, deliveries });
    } else process.exit(0);
  });
});
