/**
 * A raw binary-protocol client (the `ws` package and the generated schema, no SDK), for tests that
 * need to send exactly the frames they mean: bad signatures, replays, junk.
 */
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import WebSocket from 'ws';
import { signAuth, signingKey } from '../../../gateway/auth/signing.ts';
import {
  ClientFrameSchema,
  type ServerFrame,
  ServerFrameSchema,
} from '../../../gateway/proto/gen/parlay/v1/protocol_pb.ts';
import { SUBPROTOCOL } from '../../../gateway/ws/messages.ts';

type Kind = MessageInitShape<typeof ClientFrameSchema>['kind'];
export type Case = ServerFrame['kind']['case'];

export class ProtoClient {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Indexes already returned by next(): each message is matched at most once, in arrival order. */
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(fromBinary(ServerFrameSchema, data));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static connect(url: string): Promise<ProtoClient> {
    const ws = new WebSocket(url, [SUBPROTOCOL.proto]);
    const client = new ProtoClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(kind: Kind): void {
    this.ws.send(toBinary(ClientFrameSchema, create(ClientFrameSchema, { kind })));
  }

  sendRaw(bytes: Uint8Array): void {
    this.ws.send(bytes);
  }

  async next<C extends Case>(kind: C): Promise<Extract<ServerFrame['kind'], { case: C }>['value']> {
    for (;;) {
      for (let i = 0; i < this.frames.length; i++) {
        if (this.taken.has(i)) continue;
        const frame = this.frames[i] as ServerFrame;
        if (frame.kind.case === kind) {
          this.taken.add(i);
          return frame.kind.value as never;
        }
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed while waiting for ${kind}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The auth frame answering this connection's challenge, signed with `secretKey` at `timestampMs`. */
  async authFrame(apiKey: string, secretKey: string, timestampMs = Date.now()): Promise<Kind> {
    const challenge = await this.next('challenge');
    return {
      case: 'auth',
      value: {
        apiKey,
        nonce: challenge.nonce,
        timestampMs: BigInt(timestampMs),
        signature: signAuth(signingKey(secretKey), challenge.nonce, timestampMs),
      },
    };
  }

  static async authed(url: string, apiKey: string, secretKey: string): Promise<ProtoClient> {
    const client = await ProtoClient.connect(url);
    client.send(await client.authFrame(apiKey, secretKey));
    await client.next('authOk');
    return client;
  }
}
