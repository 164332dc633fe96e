/*
 * The operator's instructions: settle, cancel, release MM collateral, close. Money rules:
 *   fee = floor(profit × position.fee_bps / 10000), profit = risk on a win, stake on a loss.
 *   win:  MM vault pays risk: risk − fee to the user's vault, fee to the treasury.
 *   loss: user vault pays stake: stake − fee to the MM's vault, fee to the treasury.
 * Each split sums to exactly what left the payer, so vaults + treasury only change by deposits and
 * withdrawals. The user's stake is unlocked either way; only a win lowers the MM's collateral.
 */
#pragma once
#include "checks.c"
#include "cpi.c"
#include "vault.c"

typedef struct {
  Config *config;
  Position *position;
} OperatorView;

/* Operator signs, config and an existing position of ours; the position must be writable. */
static u64 load_operator_position(Context *ctx, OperatorView *view) {
  TRY(load_config(ctx, &ctx->accounts[1], &view->config));
  TRY(need_operator(view->config, &ctx->accounts[0]));
  TRY(load_position(ctx, &ctx->accounts[2], &view->position));
  return need_writable(&ctx->accounts[2]);
}

/* A vault the position recorded, writable. */
static u64 load_position_vault(Context *ctx, const AccountInfo *a, const Pubkey *expected, Vault **out) {
  TRY(load_vault(ctx, a, out));
  if (!key_eq(a->key, expected)) return ERR_VAULT_MISMATCH;
  return need_writable(a);
}

/*
 * Pays `amount` out of `payer`'s vault: amount − fee to `counterparty_token`, fee to the treasury.
 * The vault's locks after settlement must still be covered by what remains: a vault never pays out
 * of funds that back its other positions (`locked_after` is its stake_locked + collateral_locked
 * after this settlement). Always inlined: SBF calls pass at most five arguments in registers.
 */
static inline __attribute__((always_inline)) u64 pay_out(AccountInfo *vault_info, const Vault *payer,
                                                         AccountInfo *payer_token, AccountInfo *counterparty_token,
                                                         AccountInfo *treasury, u64 amount, u64 fee,
                                                         u64 locked_after) {
  u64 balance, needed;
  TRY(vault_token_balance(payer, payer_token, &balance));
  TRY(checked_add(locked_after, amount, &needed));
  if (balance < needed) return ERR_SETTLEMENT_UNDERFUNDED;
  SignerSeed seeds[3];
  vault_signer_seeds(payer, seeds);
  SignerSeeds signer = {seeds, 3};
  TRY(token_transfer(payer_token, counterparty_token, vault_info, amount - fee, &signer));
  return token_transfer(payer_token, treasury, vault_info, fee, &signer);
}

__attribute__((noinline)) static u64 settle_position(Context *ctx) {
  TRY(need_accounts(ctx, 9));
  TRY(need_data_len(ctx, 2));
  OperatorView view;
  TRY(load_operator_position(ctx, &view));
  Position *p = view.position;
  AccountInfo *user_vault = &ctx->accounts[3], *user_token = &ctx->accounts[4];
  AccountInfo *mm_vault = &ctx->accounts[5], *mm_token = &ctx->accounts[6], *treasury = &ctx->accounts[7];
  Vault *user, *mm;
  TRY(load_position_vault(ctx, user_vault, &p->user_vault, &user));
  TRY(load_position_vault(ctx, mm_vault, &p->mm_vault, &mm));
  if (!key_eq(user_token->key, &user->token_account) || !key_eq(mm_token->key, &mm->token_account))
    return ERR_VAULT_MISMATCH;
  TRY(need_writable(user_token));
  TRY(need_writable(mm_token));
  if (!key_eq(treasury->key, &view.config->treasury)) return ERR_TREASURY_MISMATCH;
  TRY(need_writable(treasury));
  TRY(need_distinct(treasury, user_token));
  TRY(need_distinct(treasury, mm_token));
  TRY(need_program(&ctx->accounts[8], &TOKEN_PROGRAM_ID));
  if (p->status != STATUS_ACTIVE) return ERR_POSITION_NOT_ACTIVE;
  u8 outcome = ctx->data[1];
  if (outcome != OUTCOME_WIN && outcome != OUTCOME_LOSS) return ERR_INVALID_OUTCOME;

  u64 user_stake_after, locked_after;
  TRY(checked_sub(user->stake_locked, p->stake, &user_stake_after));
  if (outcome == OUTCOME_WIN) {
    /*
     * The MM's locked collateral drops by the full risk, saturating at 0. Safe: the risk engine keeps
     * collateral_locked ≥ the MM's worst-case loss over its active positions ≥ this position's risk,
     * so the saturation never bites in a correct book; if it ever did, pay_out still refuses to take
     * the payment out of the MM's own locked stakes.
     */
    u64 mm_collateral_after = mm->collateral_locked > p->risk ? mm->collateral_locked - p->risk : 0;
    TRY(checked_add(mm->stake_locked, mm_collateral_after, &locked_after));
    u64 fee = fee_on(p->risk, p->fee_bps);
    TRY(pay_out(mm_vault, mm, mm_token, user_token, treasury, p->risk, fee, locked_after));
    mm->collateral_locked = mm_collateral_after;
    p->status = STATUS_SETTLED_WIN;
  } else {
    TRY(checked_add(user_stake_after, user->collateral_locked, &locked_after));
    u64 fee = fee_on(p->stake, p->fee_bps);
    TRY(pay_out(user_vault, user, user_token, mm_token, treasury, p->stake, fee, locked_after));
    p->status = STATUS_SETTLED_LOSS;
  }
  user->stake_locked = user_stake_after;
  return 0;
}

/* Void / unwound position: the stake is unlocked, nothing moves. The MM's collateral stays locked
 * until release_mm_collateral recomputes it (unlocking per position would be unsafe with netting). */
__attribute__((noinline)) static u64 cancel_position(Context *ctx) {
  TRY(need_accounts(ctx, 4));
  TRY(need_data_len(ctx, 1));
  OperatorView view;
  TRY(load_operator_position(ctx, &view));
  Position *p = view.position;
  Vault *user;
  TRY(load_position_vault(ctx, &ctx->accounts[3], &p->user_vault, &user));
  if (p->status != STATUS_ACTIVE) return ERR_POSITION_NOT_ACTIVE;
  u64 user_stake_after;
  TRY(checked_sub(user->stake_locked, p->stake, &user_stake_after));
  user->stake_locked = user_stake_after;
  p->status = STATUS_CANCELLED;
  return 0;
}

/* Release-only: the operator can lower an MM's locked collateral to the recomputed worst case, never
 * raise it (raising is create_position's job, with the MM's consent). */
__attribute__((noinline)) static u64 release_mm_collateral(Context *ctx) {
  TRY(need_accounts(ctx, 3));
  TRY(need_data_len(ctx, 9));
  Config *config;
  Vault *mm;
  TRY(load_config(ctx, &ctx->accounts[1], &config));
  TRY(need_operator(config, &ctx->accounts[0]));
  TRY(load_vault(ctx, &ctx->accounts[2], &mm));
  TRY(need_writable(&ctx->accounts[2]));
  u64 new_locked = read_u64(ctx->data + 1);
  if (new_locked > mm->collateral_locked) return ERR_RELEASE_WOULD_RAISE;
  mm->collateral_locked = new_locked;
  return 0;
}

/*
 * Returns a settled or cancelled position's rent to whoever paid it. The account is emptied, shrunk
 * to zero bytes and handed back to the System program, so nothing of it survives the transaction.
 * Exactly-once holds while the account exists; after close, a re-create of the same RFQ id is kept
 * out by the engine (a terminal RFQ is never executed again).
 */
__attribute__((noinline)) static u64 close_position(Context *ctx) {
  TRY(need_accounts(ctx, 4));
  TRY(need_data_len(ctx, 1));
  OperatorView view;
  TRY(load_operator_position(ctx, &view));
  AccountInfo *position = &ctx->accounts[2], *receiver = &ctx->accounts[3];
  if (view.position->status == STATUS_ACTIVE) return ERR_POSITION_NOT_FINAL;
  if (!key_eq(receiver->key, &view.position->rent_payer)) return ERR_RENT_RECEIVER_MISMATCH;
  TRY(need_writable(receiver));
  u64 receiver_after;
  TRY(checked_add(*receiver->lamports, *position->lamports, &receiver_after));
  *receiver->lamports = receiver_after;
  *position->lamports = 0;
  zero_words(position->data, position->data_len);
  *(u64 *)(position->data - 8) = 0;
  key_copy(position->owner, &SYSTEM_PROGRAM_ID);
  return 0;
}
