import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RfqRegistry } from '../../engine/rfqRegistry.ts';
import type { RfqEmitted } from '../../machines/domain.ts';
import { rfqInput } from '../support/rfqActor.ts';

test('children of the shared supervisor report events to it and leave the system when removed', () => {
  const events: RfqEmitted[] = [];
  const registry = new RfqRegistry(
    (e) => events.push(e),
    () => {},
  );
  const actor = registry.create(rfqInput({ id: 'r1' }));
  assert.deepEqual(
    events.map((e) => e.type),
    ['rfq.created'],
  );
  const system = (actor as unknown as { system: { _snapshot?: unknown; getAll?: () => unknown } }).system;
  assert.ok(system);
  const before = actor.getSnapshot();
  actor.send({
    type: 'QUOTE.SUBMIT',
    at: before.context.createdAt + 1,
    mmId: 'm',
    quoteId: 'q',
    oddsFp: 20_000,
    validUntil: before.context.createdAt + 60_000,
    replace: true,
  });
  registry.reindex(before, actor.getSnapshot());
  assert.equal(registry.rfqIdOfQuote('q'), 'r1');
  assert.deepEqual([...registry.mmRfqIds('m')], ['r1']);

  // Rollback: the live actor is stopped (XState forbids stop() on a child; _stop() must work) and replaced.
  registry.revert('r1', before);
  assert.equal(actor.getSnapshot().status, 'stopped');
  const restored = registry.get('r1');
  assert.ok(restored && restored !== actor);
  assert.equal(restored.getSnapshot().value, 'open');
  assert.equal(registry.rfqIdOfQuote('q'), undefined, 'indexes follow the reverted state');
  assert.equal(registry.mmRfqIds('m').size, 0);

  registry.remove('r1');
  assert.equal(registry.size, 0);
  assert.equal(registry.userRfqIds('user-1').size, 0);
});

test('an actor whose action throws is reported to the supervisor, not rethrown to the process', async () => {
  const errors: Array<string | undefined> = [];
  const registry = new RfqRegistry(
    () => {},
    (rfqId) => errors.push(rfqId),
  );
  const actor = registry.create(rfqInput({ id: 'r2' }));
  // A malformed context makes the machine's update throw inside the actor.
  const broken = { ...actor.getSnapshot().context, quotes: null as unknown as [] };
  Object.assign(actor.getSnapshot(), { context: broken });
  actor.send({
    type: 'QUOTE.SUBMIT',
    at: broken.createdAt + 1,
    mmId: 'm',
    quoteId: 'q',
    oddsFp: 20_000,
    validUntil: broken.createdAt + 60_000,
    replace: true,
  });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(actor.getSnapshot().status, 'error');
  assert.deepEqual(errors, ['r2']);
});
