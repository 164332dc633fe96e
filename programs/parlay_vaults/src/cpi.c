/*
 * Cross-program calls: System (create / fund / allocate / assign) and SPL Token (initialize account,
 * transfer). Only the accounts a call needs are handed to it. Handlers make these calls before they
 * write their own accounts, so no call ever sees half-updated state.
 */
#pragma once
#include "errors.h"
#include "state.h"

#define SYSTEM_IX_CREATE_ACCOUNT 0
#define SYSTEM_IX_ASSIGN 1
#define SYSTEM_IX_TRANSFER 2
#define SYSTEM_IX_ALLOCATE 8
#define TOKEN_IX_TRANSFER 3
#define TOKEN_IX_INITIALIZE_ACCOUNT3 18
#define ACCOUNT_STORAGE_OVERHEAD 128

/*
 * Rent-exempt minimum: ceil((128 + space) × lamports_per_byte_year × exemption_threshold). The
 * threshold is a double: 2.0 historically, 1.0 since SIMD-0194 folded it into the byte price. SBF has
 * no floating point, so it is decoded exactly as mantissa × 2^exponent; rounding up keeps us never below
 * what the runtime demands. A threshold outside what this exact integer path covers (more than six
 * significant bits, or extreme magnitudes) is refused rather than guessed.
 */
static u64 rent_exempt_minimum(u64 space, u64 *out) {
  Rent rent;
  sol_get_rent_sysvar(&rent);
  u64 bits = rent.exemption_threshold_bits;
  u64 biased_exp = (bits >> 52) & 0x7ff;
  if ((bits >> 63) != 0 || biased_exp == 0 || biased_exp == 0x7ff) return ERR_UNSUPPORTED_RENT;
  u64 mantissa = (bits & 0xfffffffffffffUL) | (1UL << 52);
  i64 exp = (i64)biased_exp - 1023 - 52;
  while ((mantissa & 1) == 0) {
    mantissa >>= 1;
    exp++;
  }
  /* Bounds instead of overflow checks (clang lowers those to a 128-bit multiply SBF lacks):
   * bytes < 2^25, price ≤ 2^32, mantissa < 2^6, so the product stays below 2^63. */
  if (space >= (1UL << 24) || rent.lamports_per_byte_year > (1UL << 32) || mantissa >= 64 || exp > 8 || exp < -56)
    return ERR_UNSUPPORTED_RENT;
  u64 product = (ACCOUNT_STORAGE_OVERHEAD + space) * rent.lamports_per_byte_year * mantissa;
  if (exp >= 0) {
    if ((product >> (63 - exp)) != 0) return ERR_MATH_OVERFLOW;
    *out = product << exp;
  } else {
    u64 shift = (u64)(-exp);
    u64 floor = product >> shift;
    *out = floor + (((floor << shift) != product) ? 1 : 0);
  }
  return 0;
}

/* Always inlined: SBF calls pass at most five arguments in registers. */
static inline __attribute__((always_inline)) u64 invoke(const Pubkey *program, const AccountMeta *metas,
                                                        u64 n_metas, const u8 *data, u64 data_len,
                                                        const AccountInfo *infos, u64 n_infos,
                                                        const SignerSeeds *signers, u64 n_signers) {
  Instruction ix = {program, metas, n_metas, data, data_len};
  return sol_invoke_signed_c(&ix, infos, n_infos, signers, n_signers);
}

/* A CPI that resizes an account updates the length field in the input buffer (8 bytes before the
 * data), not our parsed copy; passing the stale copy to a later CPI would read as a data change. */
static u64 refresh_data_len(AccountInfo *a) {
  a->data_len = *(const u64 *)(a->data - 8);
  return 0;
}

/*
 * Creates a program-derived account owned by `owner`, paid by `payer`. A plain CreateAccount fails
 * when someone has already sent lamports to the address (anyone can, to block it), so a pre-funded
 * address is topped up, allocated and assigned instead: the address cannot be squatted.
 */
static u64 create_pda_account(AccountInfo *payer, AccountInfo *target, u64 space, const Pubkey *owner,
                              const SignerSeeds *target_seeds) {
  u64 required;
  TRY(rent_exempt_minimum(space, &required));
  AccountInfo both[2] = {*payer, *target};
  u64 current = *target->lamports;
  if (current == 0) {
    u8 data[52];
    write_u32(data, SYSTEM_IX_CREATE_ACCOUNT);
    write_u64(data + 4, required);
    write_u64(data + 12, space);
    write_key(data + 20, owner);
    AccountMeta metas[2] = {{payer->key, true, true}, {target->key, true, true}};
    TRY(invoke(&SYSTEM_PROGRAM_ID, metas, 2, data, sizeof(data), both, 2, target_seeds, 1));
    return refresh_data_len(target);
  }
  if (current < required) {
    u8 data[12];
    write_u32(data, SYSTEM_IX_TRANSFER);
    write_u64(data + 4, required - current);
    AccountMeta metas[2] = {{payer->key, true, true}, {target->key, true, false}};
    TRY(invoke(&SYSTEM_PROGRAM_ID, metas, 2, data, sizeof(data), both, 2, NULL, 0));
  }
  AccountMeta self[1] = {{target->key, true, true}};
  u8 allocate[12];
  write_u32(allocate, SYSTEM_IX_ALLOCATE);
  write_u64(allocate + 4, space);
  TRY(invoke(&SYSTEM_PROGRAM_ID, self, 1, allocate, sizeof(allocate), target, 1, target_seeds, 1));
  u8 assign[36];
  write_u32(assign, SYSTEM_IX_ASSIGN);
  write_key(assign + 4, owner);
  TRY(invoke(&SYSTEM_PROGRAM_ID, self, 1, assign, sizeof(assign), target, 1, target_seeds, 1));
  return refresh_data_len(target);
}

static u64 token_initialize_account(AccountInfo *account, AccountInfo *mint, const Pubkey *authority) {
  u8 data[33];
  data[0] = TOKEN_IX_INITIALIZE_ACCOUNT3;
  write_key(data + 1, authority);
  AccountMeta metas[2] = {{account->key, true, false}, {mint->key, false, false}};
  AccountInfo infos[2] = {*account, *mint};
  return invoke(&TOKEN_PROGRAM_ID, metas, 2, data, sizeof(data), infos, 2, NULL, 0);
}

/* `signer` is NULL when the authority signed the transaction itself. Zero amounts are skipped. */
static u64 token_transfer(AccountInfo *from, AccountInfo *to, AccountInfo *authority, u64 amount,
                          const SignerSeeds *signer) {
  if (amount == 0) return 0;
  u8 data[9];
  data[0] = TOKEN_IX_TRANSFER;
  write_u64(data + 1, amount);
  AccountMeta metas[3] = {{from->key, true, false}, {to->key, true, false}, {authority->key, false, true}};
  AccountInfo infos[3] = {*from, *to, *authority};
  return invoke(&TOKEN_PROGRAM_ID, metas, 3, data, sizeof(data), infos, 3, signer, signer ? 1 : 0);
}
