/*
 * The SBPFv0 program ABI, written for this project: the serialized input the BPF loaders hand to
 * `entrypoint`, the C structs sol_invoke_signed_c reads, and the syscalls we call. Facts from Solana's
 * public docs and C SDK header; the code is ours. Freestanding: no libc, no headers.
 */
#pragma once

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
#define offsetof(type, field) __builtin_offsetof(type, field)

_Static_assert(sizeof(u64) == 8 && sizeof(void *) == 8, "SBF is LP64");

/* 8-byte aligned so keys compare as four u64 loads; every key we read sits on an 8-byte boundary. */
typedef struct __attribute__((aligned(8))) {
  u8 x[32];
} Pubkey;

/* Layout fixed by sol_invoke_signed_c (the runtime reads these fields by offset). */
typedef struct {
  Pubkey *key;
  u64 *lamports;
  u64 data_len;
  u8 *data;
  Pubkey *owner;
  u64 rent_epoch;
  bool is_signer;
  bool is_writable;
  bool executable;
} AccountInfo;
_Static_assert(sizeof(AccountInfo) == 56, "SolAccountInfo ABI");

typedef struct {
  const Pubkey *pubkey;
  bool is_writable;
  bool is_signer;
} AccountMeta;
_Static_assert(sizeof(AccountMeta) == 16, "SolAccountMeta ABI");

typedef struct {
  const Pubkey *program_id;
  const AccountMeta *accounts;
  u64 account_len;
  const u8 *data;
  u64 data_len;
} Instruction;

typedef struct {
  const u8 *addr;
  u64 len;
} SignerSeed;

typedef struct {
  const SignerSeed *addr;
  u64 len;
} SignerSeeds;

typedef struct {
  u64 slot;
  i64 epoch_start_timestamp;
  u64 epoch;
  u64 leader_schedule_epoch;
  i64 unix_timestamp;
} Clock;

/* exemption_threshold is an IEEE-754 double; SBF has no floating point, so it is kept as its bits. */
typedef struct {
  u64 lamports_per_byte_year;
  u64 exemption_threshold_bits;
  u8 burn_percent;
} Rent;
_Static_assert(sizeof(Rent) == 24, "Rent sysvar ABI");

u64 sol_create_program_address(const SignerSeed *seeds, u64 seeds_len, const Pubkey *program_id, Pubkey *out);
u64 sol_invoke_signed_c(const Instruction *ix, const AccountInfo *infos, u64 infos_len, const SignerSeeds *signers,
                        u64 signers_len);
u64 sol_get_clock_sysvar(Clock *out);
u64 sol_get_rent_sysvar(Rent *out);
void sol_log_(const char *message, u64 len);
void sol_panic_(const char *file, u64 file_len, u64 line, u64 column);

/*
 * Serialized input (BPF Loader 2 / Upgradeable, aligned):
 *   u64 account count, then per account either
 *     u8 0xff, u8 is_signer, u8 is_writable, u8 executable, u32 original data length,
 *     key[32], owner[32], u64 lamports, u64 data length, data, 10 KiB realloc room,
 *     padding to 8, u64 rent epoch
 *   or, for a repeat of an earlier account: u8 index of that account, 7 bytes padding;
 *   then u64 instruction data length, instruction data, program id[32].
 * The data length field sits 8 bytes before the data: a program shrinks an account by lowering it.
 */
#define MAX_PERMITTED_DATA_INCREASE 10240
#define NOT_A_DUPLICATE 0xff
#define MAX_ACCOUNTS 12

typedef struct {
  AccountInfo accounts[MAX_ACCOUNTS];
  /* How many accounts the instruction carries; only the first MAX_ACCOUNTS are kept. */
  u64 account_count;
  const u8 *data;
  u64 data_len;
  const Pubkey *program_id;
} Context;

static inline void parse_input(u8 *input, Context *ctx) {
  u64 count = *(u64 *)input;
  input += 8;
  ctx->account_count = count;
  for (u64 i = 0; i < count; i++) {
    u8 dup = input[0];
    if (dup != NOT_A_DUPLICATE) {
      /* The runtime only points back to earlier accounts, so dup < i < MAX_ACCOUNTS here. */
      if (i < MAX_ACCOUNTS) ctx->accounts[i] = ctx->accounts[dup];
      input += 8;
      continue;
    }
    u64 data_len = *(u64 *)(input + 80);
    if (i < MAX_ACCOUNTS) {
      AccountInfo *a = &ctx->accounts[i];
      a->is_signer = input[1] != 0;
      a->is_writable = input[2] != 0;
      a->executable = input[3] != 0;
      a->key = (Pubkey *)(input + 8);
      a->owner = (Pubkey *)(input + 40);
      a->lamports = (u64 *)(input + 72);
      a->data_len = data_len;
      a->data = input + 88;
    }
    input += 88 + data_len + MAX_PERMITTED_DATA_INCREASE;
    input = (u8 *)(((u64)input + 7) & ~(u64)7);
    if (i < MAX_ACCOUNTS) ctx->accounts[i].rent_epoch = *(u64 *)input;
    input += 8;
  }
  ctx->data_len = *(u64 *)input;
  ctx->data = input + 8;
  ctx->program_id = (const Pubkey *)(input + 8 + ctx->data_len);
}

static inline bool key_eq(const Pubkey *a, const Pubkey *b) {
  const u64 *x = (const u64 *)a->x;
  const u64 *y = (const u64 *)b->x;
  return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static inline bool key_is_zero(const Pubkey *a) {
  const u64 *x = (const u64 *)a->x;
  return (x[0] | x[1] | x[2] | x[3]) == 0;
}

static inline void key_copy(Pubkey *dst, const Pubkey *src) {
  u64 *d = (u64 *)dst->x;
  const u64 *s = (const u64 *)src->x;
  d[0] = s[0];
  d[1] = s[1];
  d[2] = s[2];
  d[3] = s[3];
}

/* Instruction data is packed little-endian with no alignment: read it byte by byte. */
static inline u64 read_u64(const u8 *p) {
  u64 v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static inline u16 read_u16(const u8 *p) { return (u16)(p[0] | (p[1] << 8)); }

static inline u32 read_u32(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24); }

static inline void read_key(Pubkey *dst, const u8 *p) {
  for (int i = 0; i < 32; i++) dst->x[i] = p[i];
}

static inline void write_u32(u8 *p, u32 v) {
  for (int i = 0; i < 4; i++) p[i] = (u8)(v >> (8 * i));
}

static inline void write_u64(u8 *p, u64 v) {
  for (int i = 0; i < 8; i++) p[i] = (u8)(v >> (8 * i));
}

static inline void write_key(u8 *p, const Pubkey *k) {
  for (int i = 0; i < 32; i++) p[i] = k->x[i];
}

/* Zeroes a region whose length is a multiple of 8 and whose start is 8-aligned (all our accounts). */
static inline void zero_words(u8 *p, u64 len) {
  u64 *w = (u64 *)p;
  for (u64 i = 0; i < len / 8; i++) w[i] = 0;
}

/* For keys at unaligned offsets (inside other programs' account data). */
static inline bool bytes_eq(const u8 *a, const u8 *b, u64 n) {
  u8 diff = 0;
  for (u64 i = 0; i < n; i++) diff |= (u8)(a[i] ^ b[i]);
  return diff == 0;
}
