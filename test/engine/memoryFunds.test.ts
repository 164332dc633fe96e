import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MemoryFunds } from '../../engine/memoryFunds.ts';

test('reserved totals always equal the sum of live reservations; free never goes negative', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.boolean(),
          fc.constantFrom('a', 'b'),
          fc.constantFrom('r1', 'r2', 'r3', 'r4'),
          fc.integer({ min: 0, max: 600 }),
        ),
        { maxLength: 80 },
      ),
      (ops) => {
        const funds = new MemoryFunds();
        const model = new Map<string, Map<string, number>>();
        for (const id of ['a', 'b']) funds.credit({ kind: 'mm', id }, 1_000);
        for (const [reserve, id, rfq, amount] of ops) {
          const owner = { kind: 'mm', id } as const;
          const mine = model.get(id) ?? new Map<string, number>();
          model.set(id, mine);
          if (reserve) {
            const others = [...mine.entries()].filter(([r]) => r !== rfq).reduce((s, [, v]) => s + v, 0);
            const result = funds.reserve(owner, rfq, amount);
            assert.equal(result.ok, others + amount <= 1_000);
            if (result.ok) mine.set(rfq, amount);
            else assert.equal(result.error.code, 'INSUFFICIENT_COLLATERAL');
          } else {
            funds.release(owner, rfq);
            mine.delete(rfq);
          }
          const sum = [...mine.values()].reduce((s, v) => s + v, 0);
          assert.equal(funds.reservedBy(owner), sum);
          assert.ok(funds.free(owner) >= 0);
        }
      },
    ),
  );
});
