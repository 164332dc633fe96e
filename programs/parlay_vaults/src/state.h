/*
 * Account layouts and instruction numbers. Every account starts with a kind byte, so an account of
 * one type is never accepted as another; offsets are pinned by static asserts and mirrored in
 * idl.json and chain/program/layout.ts (a test compares them).
 */
#pragma once
#include "sbf.h"

enum { KIND_CONFIG = 1, KIND_VAULT = 2, KIND_POSITION = 3 };

enum {
  STATUS_ACTIVE = 0,
  STATUS_SETTLED_WIN = 1,
  STATUS_SETTLED_LOSS = 2,
  STATUS_CANCELLED = 3,
};

enum { OUTCOME_WIN = 1, OUTCOME_LOSS = 2 };

enum {
  IX_INITIALIZE_CONFIG = 0,
  IX_UPDATE_CONFIG = 1,
  IX_INITIALIZE_VAULT = 2,
  IX_DEPOSIT = 3,
  IX_WITHDRAW = 4,
  IX_ENABLE_TRADING = 5,
  IX_DISABLE_TRADING = 6,
  IX_CREATE_POSITION = 7,
  IX_SETTLE_POSITION = 8,
  IX_CANCEL_POSITION = 9,
  IX_RELEASE_MM_COLLATERAL = 10,
  IX_CLOSE_POSITION = 11,
};

#define BPS_DENOMINATOR 10000

/* PDA ["config"]. */
typedef struct {
  u8 kind;
  u8 bump;
  u16 fee_bps; /* the maximum fee a position may carry */
  u32 reserved;
  Pubkey admin;
  Pubkey operator_key; /* settlement authority; the only key a vault may delegate to */
  Pubkey treasury;     /* SPL token account (config mint) receiving fees */
  Pubkey mint;
} Config;
_Static_assert(sizeof(Config) == 136, "config size");
_Static_assert(offsetof(Config, admin) == 8 && offsetof(Config, mint) == 104, "config offsets");

/* PDA ["vault", owner]. Its token account is the PDA ["vault_token", owner], authority = the vault. */
typedef struct {
  u8 kind;
  u8 bump;
  u8 token_bump;
  u8 trading_enabled;
  u32 reserved;
  Pubkey owner;
  Pubkey token_account;
  u64 stake_locked;      /* stakes of this owner's active positions as a user */
  u64 collateral_locked; /* collateral this owner has locked as a market maker */
  Pubkey delegate;
  u64 max_per_position;  /* delegated locks: cap on one position's stake or collateral */
  u64 max_total_locked;  /* delegated locks: cap on stake_locked + collateral_locked after the lock */
  i64 delegate_expiry;   /* unix seconds; the delegate may act while clock < expiry */
} Vault;
_Static_assert(sizeof(Vault) == 144, "vault size");
_Static_assert(offsetof(Vault, stake_locked) == 72 && offsetof(Vault, delegate) == 88, "vault offsets");
_Static_assert(offsetof(Vault, delegate_expiry) == 136, "vault offsets");

/* PDA ["position", position_id]: position_id is the RFQ's 16-byte UUID. */
typedef struct {
  u8 kind;
  u8 bump;
  u8 status;
  u8 reserved0;
  u16 fee_bps;
  u16 reserved1;
  u8 position_id[16];
  Pubkey user_vault;
  Pubkey mm_vault;
  u64 stake;
  u64 risk;
  u64 collateral;
  u8 legs_hash[32];
  Pubkey rent_payer;
} Position;
_Static_assert(sizeof(Position) == 176, "position size");
_Static_assert(offsetof(Position, user_vault) == 24 && offsetof(Position, stake) == 88, "position offsets");
_Static_assert(offsetof(Position, legs_hash) == 112 && offsetof(Position, rent_payer) == 144, "position offsets");

/* SPL Token (classic) layouts we read. */
#define TOKEN_ACCOUNT_SIZE 165
#define TOKEN_ACCOUNT_MINT 0
#define TOKEN_ACCOUNT_OWNER 32
#define TOKEN_ACCOUNT_AMOUNT 64
#define TOKEN_ACCOUNT_STATE 108
#define TOKEN_STATE_INITIALIZED 1
#define MINT_SIZE 82
#define MINT_IS_INITIALIZED 45

static const Pubkey SYSTEM_PROGRAM_ID = {{0}};
static const Pubkey TOKEN_PROGRAM_ID = {{0x06, 0xdd, 0xf6, 0xe1, 0xd7, 0x65, 0xa1, 0x93, 0xd9, 0xcb, 0xe1,
                                         0x46, 0xce, 0xeb, 0x79, 0xac, 0x1c, 0xb4, 0x85, 0xed, 0x5f, 0x5b,
                                         0x37, 0x91, 0x3a, 0x8c, 0xf5, 0x85, 0x7e, 0xff, 0x00, 0xa9}};
static const Pubkey BPF_LOADER_UPGRADEABLE_ID = {{0x02, 0xa8, 0xf6, 0x91, 0x4e, 0x88, 0xa1, 0xb0, 0xe2, 0x10, 0x15,
                                                  0x3e, 0xf7, 0x63, 0xae, 0x2b, 0x00, 0xc2, 0xb9, 0x3d, 0x16, 0xc1,
                                                  0x24, 0xd2, 0xc0, 0x53, 0x7a, 0x10, 0x04, 0x80, 0x00, 0x00}};

static const u8 SEED_CONFIG[] = {'c', 'o', 'n', 'f', 'i', 'g'};
static const u8 SEED_VAULT[] = {'v', 'a', 'u', 'l', 't'};
static const u8 SEED_VAULT_TOKEN[] = {'v', 'a', 'u', 'l', 't', '_', 't', 'o', 'k', 'e', 'n'};
static const u8 SEED_POSITION[] = {'p', 'o', 's', 'i', 't', 'i', 'o', 'n'};
