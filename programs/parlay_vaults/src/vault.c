/*
 * Vaults: creation, deposit, withdraw, and the owner's trading delegation. A vault's USDC sits in a
 * token account whose authority is the vault PDA, so only this program moves it, and only by the
 * rules here: the owner withdraws the free balance; positions lock and settle the rest.
 */
#pragma once
#include "checks.c"
#include "cpi.c"

/* Seeds the vault PDA signs with: ["vault", owner, bump]. */
static void vault_signer_seeds(const Vault *v, SignerSeed seeds[3]) {
  seeds[0] = (SignerSeed){SEED_VAULT, sizeof(SEED_VAULT)};
  seeds[1] = (SignerSeed){v->owner.x, 32};
  seeds[2] = (SignerSeed){&v->bump, 1};
}

/* Anyone may pay to open anyone's vault (the engine opens them on first need); the owner's key only
 * enters through the PDA seeds, so the vault can only ever belong to that owner. */
__attribute__((noinline)) static u64 initialize_vault(Context *ctx) {
  TRY(need_accounts(ctx, 8));
  TRY(need_data_len(ctx, 3));
  AccountInfo *payer = &ctx->accounts[0], *owner = &ctx->accounts[1], *vault = &ctx->accounts[3];
  AccountInfo *token = &ctx->accounts[4], *mint = &ctx->accounts[5];
  TRY(need_signer(payer));
  TRY(need_writable(payer));
  Config *config;
  TRY(load_config(ctx, &ctx->accounts[2], &config));
  TRY(need_writable(vault));
  TRY(need_writable(token));
  TRY(need_program(&ctx->accounts[6], &SYSTEM_PROGRAM_ID));
  TRY(need_program(&ctx->accounts[7], &TOKEN_PROGRAM_ID));
  if (!key_eq(mint->key, &config->mint)) return ERR_INVALID_MINT;
  TRY(need_uninitialized(vault));
  TRY(need_uninitialized(token));
  u8 vault_bump = ctx->data[1], token_bump = ctx->data[2];
  SignerSeed vault_seeds[3] = {{SEED_VAULT, sizeof(SEED_VAULT)}, {owner->key->x, 32}, {&vault_bump, 1}};
  SignerSeed token_seeds[3] = {{SEED_VAULT_TOKEN, sizeof(SEED_VAULT_TOKEN)}, {owner->key->x, 32}, {&token_bump, 1}};
  TRY(need_pda(ctx, vault, vault_seeds, 3));
  TRY(need_pda(ctx, token, token_seeds, 3));

  SignerSeeds vault_signer = {vault_seeds, 3}, token_signer = {token_seeds, 3};
  TRY(create_pda_account(payer, vault, sizeof(Vault), ctx->program_id, &vault_signer));
  TRY(create_pda_account(payer, token, TOKEN_ACCOUNT_SIZE, &TOKEN_PROGRAM_ID, &token_signer));
  TRY(token_initialize_account(token, mint, vault->key));
  Vault *v = (Vault *)vault->data;
  v->kind = KIND_VAULT;
  v->bump = vault_bump;
  v->token_bump = token_bump;
  key_copy(&v->owner, owner->key);
  key_copy(&v->token_account, token->key);
  return 0;
}

/* Any signer may fund any vault from a token account it controls: money in is always safe. The token
 * program checks the source's authority and that both accounts hold the same mint. */
__attribute__((noinline)) static u64 deposit(Context *ctx) {
  TRY(need_accounts(ctx, 5));
  TRY(need_data_len(ctx, 9));
  AccountInfo *depositor = &ctx->accounts[0], *source = &ctx->accounts[2], *token = &ctx->accounts[3];
  Vault *v;
  TRY(load_vault(ctx, &ctx->accounts[1], &v));
  TRY(need_signer(depositor));
  TRY(need_writable(source));
  TRY(need_writable(token));
  TRY(need_program(&ctx->accounts[4], &TOKEN_PROGRAM_ID));
  u64 balance;
  TRY(vault_token_balance(v, token, &balance));
  TRY(need_distinct(source, token));
  u64 amount = read_u64(ctx->data + 1);
  if (amount == 0) return ERR_INVALID_AMOUNT;
  return token_transfer(source, token, depositor, amount, NULL);
}

/* Owner only, and only what no position has locked. */
__attribute__((noinline)) static u64 withdraw(Context *ctx) {
  TRY(need_accounts(ctx, 5));
  TRY(need_data_len(ctx, 9));
  AccountInfo *owner = &ctx->accounts[0], *vault = &ctx->accounts[1];
  AccountInfo *token = &ctx->accounts[2], *destination = &ctx->accounts[3];
  Vault *v;
  TRY(load_vault(ctx, vault, &v));
  TRY(need_signer(owner));
  if (!key_eq(owner->key, &v->owner)) return ERR_UNAUTHORIZED;
  TRY(need_writable(token));
  TRY(need_writable(destination));
  TRY(need_program(&ctx->accounts[4], &TOKEN_PROGRAM_ID));
  u64 balance, free;
  TRY(vault_token_balance(v, token, &balance));
  TRY(need_distinct(destination, token));
  u64 amount = read_u64(ctx->data + 1);
  if (amount == 0) return ERR_INVALID_AMOUNT;
  TRY(free_balance(v, balance, &free));
  if (amount > free) return ERR_INSUFFICIENT_FREE_BALANCE;
  SignerSeed seeds[3];
  vault_signer_seeds(v, seeds);
  SignerSeeds signer = {seeds, 3};
  return token_transfer(token, destination, vault, amount, &signer);
}

/* The delegate may only be the configured operator: owners consent to "the venue may lock my funds
 * into trades I asked for, within these caps", not to an arbitrary key. */
__attribute__((noinline)) static u64 enable_trading(Context *ctx) {
  TRY(need_accounts(ctx, 3));
  TRY(need_data_len(ctx, 57));
  AccountInfo *owner = &ctx->accounts[0], *vault = &ctx->accounts[1];
  Vault *v;
  Config *config;
  TRY(load_vault(ctx, vault, &v));
  TRY(load_config(ctx, &ctx->accounts[2], &config));
  TRY(need_signer(owner));
  if (!key_eq(owner->key, &v->owner)) return ERR_UNAUTHORIZED;
  TRY(need_writable(vault));
  Pubkey delegate;
  read_key(&delegate, ctx->data + 1);
  if (!key_eq(&delegate, &config->operator_key)) return ERR_DELEGATE_NOT_OPERATOR;
  u64 max_per_position = read_u64(ctx->data + 33);
  u64 max_total_locked = read_u64(ctx->data + 41);
  i64 expiry = (i64)read_u64(ctx->data + 49);
  Clock clock;
  sol_get_clock_sysvar(&clock);
  if (expiry <= clock.unix_timestamp) return ERR_EXPIRY_IN_PAST;
  v->trading_enabled = 1;
  key_copy(&v->delegate, &delegate);
  v->max_per_position = max_per_position;
  v->max_total_locked = max_total_locked;
  v->delegate_expiry = expiry;
  return 0;
}

__attribute__((noinline)) static u64 disable_trading(Context *ctx) {
  TRY(need_accounts(ctx, 2));
  TRY(need_data_len(ctx, 1));
  AccountInfo *owner = &ctx->accounts[0], *vault = &ctx->accounts[1];
  Vault *v;
  TRY(load_vault(ctx, vault, &v));
  TRY(need_signer(owner));
  if (!key_eq(owner->key, &v->owner)) return ERR_UNAUTHORIZED;
  TRY(need_writable(vault));
  v->trading_enabled = 0;
  zero_words(v->delegate.x, 32);
  v->max_per_position = 0;
  v->max_total_locked = 0;
  v->delegate_expiry = 0;
  return 0;
}
