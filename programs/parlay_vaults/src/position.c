/*
 * create_position: locks the user's stake and the MM's collateral in one step and records the
 * position at the PDA of its RFQ id, so the same RFQ can never be opened twice.
 */
#pragma once
#include "checks.c"
#include "cpi.c"

typedef struct {
  bool loaded;
  i64 now;
} ClockCache;

/*
 * May `authority` lock `amount` of this vault? Its owner always may. Otherwise only the vault's
 * delegate, which must still be the configured operator (rotating the operator revokes every old
 * delegation at once), before its expiry and within the owner's caps.
 */
static u64 authorize_lock(const Vault *v, const AccountInfo *authority, const Config *config, u64 amount,
                          ClockCache *clock) {
  TRY(need_signer(authority));
  if (key_eq(authority->key, &v->owner)) return 0;
  if (!v->trading_enabled || !key_eq(authority->key, &v->delegate) || !key_eq(authority->key, &config->operator_key))
    return ERR_UNAUTHORIZED;
  if (!clock->loaded) {
    Clock c;
    sol_get_clock_sysvar(&c);
    clock->now = c.unix_timestamp;
    clock->loaded = true;
  }
  if (clock->now >= v->delegate_expiry) return ERR_DELEGATION_EXPIRED;
  if (amount > v->max_per_position) return ERR_POSITION_CAP_EXCEEDED;
  u64 locked;
  TRY(vault_locked(v, &locked));
  TRY(checked_add(locked, amount, &locked));
  return locked > v->max_total_locked ? ERR_TOTAL_LOCKED_CAP_EXCEEDED : 0;
}

__attribute__((noinline)) static u64 create_position(Context *ctx) {
  TRY(need_accounts(ctx, 10));
  TRY(need_data_len(ctx, 76));
  AccountInfo *payer = &ctx->accounts[0];
  AccountInfo *user_vault = &ctx->accounts[2], *user_token = &ctx->accounts[3];
  AccountInfo *mm_vault = &ctx->accounts[4], *mm_token = &ctx->accounts[5];
  AccountInfo *position = &ctx->accounts[6];
  const u8 *d = ctx->data;
  u64 stake = read_u64(d + 18), risk = read_u64(d + 26), collateral = read_u64(d + 34);
  u16 fee_bps = read_u16(d + 74);

  TRY(need_signer(payer));
  TRY(need_writable(payer));
  Config *config;
  Vault *user, *mm;
  TRY(load_config(ctx, &ctx->accounts[1], &config));
  TRY(load_vault(ctx, user_vault, &user));
  TRY(load_vault(ctx, mm_vault, &mm));
  TRY(need_writable(user_vault));
  TRY(need_writable(mm_vault));
  TRY(need_writable(position));
  TRY(need_distinct(user_vault, mm_vault));
  TRY(need_program(&ctx->accounts[9], &SYSTEM_PROGRAM_ID));
  if (fee_bps > config->fee_bps) return ERR_FEE_TOO_HIGH;
  if (stake == 0 || risk == 0 || collateral > risk) return ERR_INVALID_AMOUNT;

  ClockCache clock = {false, 0};
  TRY(authorize_lock(user, &ctx->accounts[7], config, stake, &clock));
  TRY(authorize_lock(mm, &ctx->accounts[8], config, collateral, &clock));

  u64 user_balance, mm_balance, user_free, mm_free;
  TRY(vault_token_balance(user, user_token, &user_balance));
  TRY(vault_token_balance(mm, mm_token, &mm_balance));
  TRY(free_balance(user, user_balance, &user_free));
  TRY(free_balance(mm, mm_balance, &mm_free));
  if (stake > user_free) return ERR_INSUFFICIENT_FREE_BALANCE;
  if (collateral > mm_free) return ERR_INSUFFICIENT_COLLATERAL;
  u64 new_stake_locked, new_collateral_locked;
  TRY(checked_add(user->stake_locked, stake, &new_stake_locked));
  TRY(checked_add(mm->collateral_locked, collateral, &new_collateral_locked));

  TRY(need_uninitialized(position));
  u8 bump = d[17];
  SignerSeed seeds[3] = {{SEED_POSITION, sizeof(SEED_POSITION)}, {d + 1, 16}, {&bump, 1}};
  TRY(need_pda(ctx, position, seeds, 3));
  SignerSeeds signer = {seeds, 3};
  TRY(create_pda_account(payer, position, sizeof(Position), ctx->program_id, &signer));

  Position *p = (Position *)position->data;
  p->kind = KIND_POSITION;
  p->bump = bump;
  p->status = STATUS_ACTIVE;
  p->fee_bps = fee_bps;
  for (int i = 0; i < 16; i++) p->position_id[i] = d[1 + i];
  key_copy(&p->user_vault, user_vault->key);
  key_copy(&p->mm_vault, mm_vault->key);
  p->stake = stake;
  p->risk = risk;
  p->collateral = collateral;
  for (int i = 0; i < 32; i++) p->legs_hash[i] = d[42 + i];
  key_copy(&p->rent_payer, payer->key);
  user->stake_locked = new_stake_locked;
  mm->collateral_locked = new_collateral_locked;
  return 0;
}
