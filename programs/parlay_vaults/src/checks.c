/*
 * Every account constraint, written by hand: what Anchor would generate, made explicit. Each check
 * returns 0 or one error code; instruction handlers chain them with TRY.
 *
 * Why program-owned accounts are not re-derived on every use: this program only ever creates
 * accounts at their PDA (checked at creation), only the owning program can write an account's data,
 * and every account starts with its kind byte and has a fixed size. So "owned by us + right kind +
 * right size" proves an account is one we created at its seeds, and the fields inside (owner, vault
 * keys, token account) are trustworthy. That saves 1,500 CU per sol_create_program_address.
 */
#pragma once
#include "errors.h"
#include "state.h"

static u64 need_accounts(const Context *ctx, u64 n) {
  return ctx->account_count < n ? ERR_NOT_ENOUGH_ACCOUNTS : 0;
}

static u64 need_data_len(const Context *ctx, u64 n) {
  return ctx->data_len != n ? ERR_INVALID_INSTRUCTION : 0;
}

static u64 need_signer(const AccountInfo *a) { return a->is_signer ? 0 : ERR_MISSING_SIGNATURE; }

static u64 need_writable(const AccountInfo *a) { return a->is_writable ? 0 : ERR_ACCOUNT_NOT_WRITABLE; }

static u64 need_distinct(const AccountInfo *a, const AccountInfo *b) {
  return key_eq(a->key, b->key) ? ERR_DUPLICATE_ACCOUNT : 0;
}

static u64 need_program(const AccountInfo *a, const Pubkey *id) {
  return key_eq(a->key, id) ? 0 : ERR_INVALID_PROGRAM_ID;
}

/* An address we are about to create must be a plain, empty system account (it may hold lamports). */
static u64 need_uninitialized(const AccountInfo *a) {
  if (!key_is_zero(a->owner) || a->data_len != 0) return ERR_ALREADY_INITIALIZED;
  return 0;
}

static u64 need_pda(const Context *ctx, const AccountInfo *a, const SignerSeed *seeds, u64 n) {
  Pubkey derived;
  if (sol_create_program_address(seeds, n, ctx->program_id, &derived) != 0) return ERR_INVALID_PDA;
  return key_eq(&derived, a->key) ? 0 : ERR_INVALID_PDA;
}

static u64 owned_of_kind(const Context *ctx, const AccountInfo *a, u8 kind, u64 size) {
  if (!key_eq(a->owner, ctx->program_id)) return ERR_INVALID_ACCOUNT_OWNER;
  if (a->data_len != size || a->data[0] != kind) return ERR_INVALID_ACCOUNT_DATA;
  return 0;
}

static u64 load_config(const Context *ctx, const AccountInfo *a, Config **out) {
  TRY(owned_of_kind(ctx, a, KIND_CONFIG, sizeof(Config)));
  *out = (Config *)a->data;
  return 0;
}

static u64 load_vault(const Context *ctx, const AccountInfo *a, Vault **out) {
  TRY(owned_of_kind(ctx, a, KIND_VAULT, sizeof(Vault)));
  *out = (Vault *)a->data;
  return 0;
}

static u64 load_position(const Context *ctx, const AccountInfo *a, Position **out) {
  TRY(owned_of_kind(ctx, a, KIND_POSITION, sizeof(Position)));
  *out = (Position *)a->data;
  return 0;
}

static u64 need_operator(const Config *config, const AccountInfo *a) {
  TRY(need_signer(a));
  return key_eq(a->key, &config->operator_key) ? 0 : ERR_UNAUTHORIZED;
}

static u64 need_initialized_mint(const AccountInfo *a) {
  if (!key_eq(a->owner, &TOKEN_PROGRAM_ID) || a->data_len != MINT_SIZE) return ERR_INVALID_MINT;
  return a->data[MINT_IS_INITIALIZED] == 1 ? 0 : ERR_INVALID_MINT;
}

/* A live SPL token account of `mint` (frozen or uninitialized accounts cannot move funds). */
static u64 need_token_account(const AccountInfo *a, const Pubkey *mint) {
  if (!key_eq(a->owner, &TOKEN_PROGRAM_ID) || a->data_len != TOKEN_ACCOUNT_SIZE) return ERR_INVALID_TOKEN_ACCOUNT;
  if (a->data[TOKEN_ACCOUNT_STATE] != TOKEN_STATE_INITIALIZED) return ERR_INVALID_TOKEN_ACCOUNT;
  return key_eq((const Pubkey *)(a->data + TOKEN_ACCOUNT_MINT), mint) ? 0 : ERR_INVALID_TOKEN_ACCOUNT;
}

/* The vault's own token account, and its balance. The key comparison is the binding; the owner
 * program check guards the read. */
static u64 vault_token_balance(const Vault *vault, const AccountInfo *a, u64 *amount) {
  if (!key_eq(a->key, &vault->token_account)) return ERR_VAULT_MISMATCH;
  if (!key_eq(a->owner, &TOKEN_PROGRAM_ID) || a->data_len != TOKEN_ACCOUNT_SIZE) return ERR_INVALID_TOKEN_ACCOUNT;
  *amount = *(const u64 *)(a->data + TOKEN_ACCOUNT_AMOUNT);
  return 0;
}

static u64 checked_add(u64 a, u64 b, u64 *out) {
  u64 sum = a + b;
  if (sum < a) return ERR_MATH_OVERFLOW;
  *out = sum;
  return 0;
}

static u64 checked_sub(u64 a, u64 b, u64 *out) {
  if (b > a) return ERR_MATH_OVERFLOW;
  *out = a - b;
  return 0;
}

/* floor(amount × bps / 10000) without a 128-bit product: split amount = q·10000 + r, so
 * q·bps ≤ amount (bps ≤ 10000) and r·bps < 10^8 never overflow. */
static u64 fee_on(u64 amount, u16 bps) {
  u64 q = amount / BPS_DENOMINATOR;
  u64 r = amount % BPS_DENOMINATOR;
  return q * bps + (r * bps) / BPS_DENOMINATOR;
}

static u64 vault_locked(const Vault *v, u64 *locked) {
  return checked_add(v->stake_locked, v->collateral_locked, locked);
}

/* balance − stake_locked − collateral_locked; 0 if locked ever exceeded the balance. */
static u64 free_balance(const Vault *v, u64 balance, u64 *free) {
  u64 locked;
  TRY(vault_locked(v, &locked));
  *free = balance > locked ? balance - locked : 0;
  return 0;
}
