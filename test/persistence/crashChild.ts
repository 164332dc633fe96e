/**
 * The crash test's engine process: an engine on Redis + Postgres with a ManualClock the driver moves.
 * Reads one JSON command per line on stdin, answers one JSON line per command on stdout (the ack),
 * in whatever order commands finish, so concurrent commands share group commits. The driver SIGKILLs
 * it at random points.
 *
 * argv: databaseUrl keyPrefix redisUrl clockStartMs
 */
import { createInterface } from 'node:readline';
import { silentLogger } from '../../engine/logger.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import type { Result } from '../../machines/errors.ts';
import { createPersistence } from '../../persistence/createPersistence.ts';
import { engineOn } from './support.ts';

const [databaseUrl, keyPrefix, redisUrl, clockStart] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];

type Command = { id: number; op: string } & Record<string, unknown>;

const send = (message: object): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

async function main(): Promise<void> {
  const clock = new ManualClock(Number(clockStart));
  const funds = new MemoryFunds();
  for (let i = 0; i < 10; i++) funds.credit({ kind: 'user', id: `u${i}` }, 1e15);
  for (let i = 0; i < 5; i++) funds.credit({ kind: 'mm', id: `m${i}` }, 1e15);
  const persistence = createPersistence({
    logger: silentLogger(),
    clock,
    databaseUrl,
    keyPrefix,
    redisUrl,
    writerIntervalMs: 5,
    writerMaxBatch: 50,
  });
  await persistence.start();
  const h = await engineOn(persistence, { clock, funds });
  send({ ready: true, restored: h.engine.liveCount, lastSeq: h.engine.lastSeq });

  const reply = (id: number, result: Result<unknown>) =>
    send(result.ok ? { id, ok: true, value: result.value } : { id, ok: false, code: result.error.code });
  const s = (v: unknown) => v as string;

  const handle = async (c: Command): Promise<void> => {
    const e = h.engine;
    switch (c.op) {
      case 'create': {
        const r = await e.createRfq(s(c.userId), {
          legs: [
            { ticker: 'KXA-26-T1', side: 'yes' },
            { ticker: 'KXB-26-T2', side: 'no' },
          ],
          betMicro: 20_000_000,
          ttlMs: c.ttlMs as number,
        });
        return reply(c.id, r.ok ? { ok: true, value: { rfqId: r.value.id } } : r);
      }
      case 'quote': {
        const r = await e.submitQuote(s(c.mmId), {
          rfqId: s(c.rfqId),
          oddsFp: 30_000,
          validForMs: c.validForMs as number,
          replace: true,
        });
        return reply(c.id, r.ok ? { ok: true, value: { quoteId: r.value.quote.id } } : r);
      }
      case 'accept':
        return reply(c.id, await e.acceptQuote(s(c.userId), s(c.rfqId), s(c.quoteId)));
      case 'confirm':
        return reply(c.id, await e.confirmQuote(s(c.mmId), s(c.quoteId)));
      case 'reject':
        return reply(c.id, await e.rejectQuote(s(c.mmId), s(c.quoteId)));
      case 'withdraw':
        return reply(c.id, await e.withdrawQuote(s(c.mmId), s(c.quoteId)));
      case 'cancel':
        return reply(c.id, await e.cancelRfq(s(c.userId), s(c.rfqId)));
      case 'execute':
      case 'settle': {
        const rfqId = s(c.rfqId);
        if (c.op === 'execute')
          e.positionExecuted(rfqId, { positionAddress: `PDA-${rfqId}`, signature: `SIG-${rfqId}` });
        else
          e.positionSettled(rfqId, {
            outcome: 'loss',
            payoutMicro: 0,
            feeMicro: 200_000,
            signature: `SET-${rfqId}`,
          });
        await e.flush();
        const view = await e.queries.getRfq(rfqId);
        const done = c.op === 'execute' ? view?.position != null : view?.settlement != null;
        return send(
          done ? { id: c.id, ok: true, value: null } : { id: c.id, ok: false, code: 'NOT_APPLIED' },
        );
      }
      case 'advance':
        clock.advanceTo(c.to as number);
        await e.flush();
        return send({ id: c.id, ok: true, value: null });
      case 'get':
        return send({ id: c.id, ok: true, value: await e.queries.getRfq(s(c.rfqId)) });
      case 'drain':
        await e.flush();
        await persistence.writer.flush();
        return send({ id: c.id, ok: true, value: { lastSeq: e.lastSeq } });
      case 'stop':
        await e.stop();
        await persistence.stop();
        send({ id: c.id, ok: true, value: null });
        process.exit(0);
        return;
      default:
        return send({ id: c.id, ok: false, code: 'UNKNOWN_OP' });
    }
  };

  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as Command;
    handle(command).catch((error: unknown) =>
      send({ id: command.id, ok: false, code: 'THREW', message: String(error) }),
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`crash child failed: ${String(error)}\n`);
  process.exit(1);
});
