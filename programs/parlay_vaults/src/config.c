/*
 * initialize_config / update_config. The first admin must be the program's upgrade authority: whoever
 * deploys decides who configures, and nobody can front-run the initialization between deploy and
 * configuration.
 */
#pragma once
#include "checks.c"
#include "cpi.c"

#define LOADER_STATE_PROGRAM 2
#define LOADER_STATE_PROGRAM_DATA 3

/* The upgradeable loader's records: Program { u32 tag, programdata[32] },
 * ProgramData { u32 tag, u64 slot, u8 has_authority, authority[32], code... }. */
static u64 need_upgrade_authority(const Context *ctx, const AccountInfo *program, const AccountInfo *program_data,
                                  const AccountInfo *admin) {
  if (!key_eq(program->key, ctx->program_id) || !key_eq(program->owner, &BPF_LOADER_UPGRADEABLE_ID))
    return ERR_NOT_UPGRADE_AUTHORITY;
  if (program->data_len < 36 || read_u32(program->data) != LOADER_STATE_PROGRAM)
    return ERR_NOT_UPGRADE_AUTHORITY;
  if (!bytes_eq(program->data + 4, program_data->key->x, 32)) return ERR_NOT_UPGRADE_AUTHORITY;
  if (!key_eq(program_data->owner, &BPF_LOADER_UPGRADEABLE_ID) || program_data->data_len < 45)
    return ERR_NOT_UPGRADE_AUTHORITY;
  const u8 *pd = program_data->data;
  if (read_u32(pd) != LOADER_STATE_PROGRAM_DATA || pd[12] != 1)
    return ERR_NOT_UPGRADE_AUTHORITY;
  return bytes_eq(pd + 13, admin->key->x, 32) ? 0 : ERR_NOT_UPGRADE_AUTHORITY;
}

static u64 need_fee_bps(u16 fee_bps) { return fee_bps > BPS_DENOMINATOR ? ERR_FEE_TOO_HIGH : 0; }

__attribute__((noinline)) static u64 initialize_config(Context *ctx) {
  TRY(need_accounts(ctx, 8));
  TRY(need_data_len(ctx, 36));
  AccountInfo *payer = &ctx->accounts[0], *admin = &ctx->accounts[1], *config = &ctx->accounts[2];
  AccountInfo *mint = &ctx->accounts[3], *treasury = &ctx->accounts[4];
  TRY(need_signer(payer));
  TRY(need_writable(payer));
  TRY(need_signer(admin));
  TRY(need_writable(config));
  TRY(need_program(&ctx->accounts[7], &SYSTEM_PROGRAM_ID));
  TRY(need_upgrade_authority(ctx, &ctx->accounts[5], &ctx->accounts[6], admin));
  u8 bump = ctx->data[1];
  Pubkey operator_key;
  read_key(&operator_key, ctx->data + 2);
  u16 fee_bps = read_u16(ctx->data + 34);
  TRY(need_fee_bps(fee_bps));
  TRY(need_initialized_mint(mint));
  TRY(need_token_account(treasury, mint->key));
  TRY(need_uninitialized(config));
  SignerSeed seeds[2] = {{SEED_CONFIG, sizeof(SEED_CONFIG)}, {&bump, 1}};
  TRY(need_pda(ctx, config, seeds, 2));

  SignerSeeds signer = {seeds, 2};
  TRY(create_pda_account(payer, config, sizeof(Config), ctx->program_id, &signer));
  Config *c = (Config *)config->data;
  c->kind = KIND_CONFIG;
  c->bump = bump;
  c->fee_bps = fee_bps;
  key_copy(&c->admin, admin->key);
  key_copy(&c->operator_key, &operator_key);
  key_copy(&c->treasury, treasury->key);
  key_copy(&c->mint, mint->key);
  return 0;
}

/* Replaces admin, operator, fee cap and treasury at once; the mint never changes (vaults hold it). */
__attribute__((noinline)) static u64 update_config(Context *ctx) {
  TRY(need_accounts(ctx, 3));
  TRY(need_data_len(ctx, 67));
  AccountInfo *admin = &ctx->accounts[0], *config_info = &ctx->accounts[1], *treasury = &ctx->accounts[2];
  Config *config;
  TRY(load_config(ctx, config_info, &config));
  TRY(need_writable(config_info));
  TRY(need_signer(admin));
  if (!key_eq(admin->key, &config->admin)) return ERR_UNAUTHORIZED;
  u16 fee_bps = read_u16(ctx->data + 65);
  TRY(need_fee_bps(fee_bps));
  TRY(need_token_account(treasury, &config->mint));
  read_key(&config->admin, ctx->data + 1);
  read_key(&config->operator_key, ctx->data + 33);
  config->fee_bps = fee_bps;
  key_copy(&config->treasury, treasury->key);
  return 0;
}
