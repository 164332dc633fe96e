/**
 * The conservative collateral policy: every position locks its full risk. Always safe (locked ≥ the
 * worst case of any book), never efficient; the policy until the ILP engine is configured, and the
 * fallback it degrades to.
 */
import type { Micro } from '../../machines/money.ts';
import type { CollateralDecision, PositionRisk, RiskEngine } from '../ports/risk.ts';

export class FullRiskEngine implements RiskEngine {
  /** Each MM's open positions and what each locked. */
  private readonly books = new Map<string, Map<string, Micro>>();

  async reserve(position: PositionRisk): Promise<CollateralDecision> {
    const book = this.bookOf(position.mmId);
    book.set(position.positionId, position.riskMicro);
    return {
      collateralMicro: position.riskMicro,
      requiredMicro: this.lockedBy(position.mmId),
      method: 'full-risk',
    };
  }

  abandon(mmId: string, positionId: string): void {
    this.books.get(mmId)?.delete(positionId);
  }

  close(mmId: string, positionId: string): void {
    this.books.get(mmId)?.delete(positionId);
  }

  restore(books: Array<{ mmId: string; positions: Array<PositionRisk & { collateralMicro: Micro }> }>): void {
    for (const { mmId, positions } of books) {
      const book = this.bookOf(mmId);
      for (const p of positions) book.set(p.positionId, p.riskMicro);
    }
  }

  /** Full risk is never refined, so nothing is ever released early. */
  onRelease(): void {}

  async shutdown(): Promise<void> {}

  lockedBy(mmId: string): Micro {
    let total = 0;
    for (const risk of this.books.get(mmId)?.values() ?? []) total += risk;
    return total;
  }

  private bookOf(mmId: string): Map<string, Micro> {
    let book = this.books.get(mmId);
    if (!book) {
      book = new Map();
      this.books.set(mmId, book);
    }
    return book;
  }
}
