/*
 * Custom error codes, returned as InstructionError::Custom(code). They start at 6000 so they never
 * collide with the SPL Token program's own custom codes (0..), which surface the same way when a CPI
 * fails. The table (name, code, meaning) is in idl.json and README.md; test/programs checks all three
 * agree with the TS client.
 */
#pragma once

#define ERR_INVALID_INSTRUCTION 6000       /* unknown discriminator or wrong data length */
#define ERR_NOT_ENOUGH_ACCOUNTS 6001       /* fewer accounts than the instruction needs */
#define ERR_MISSING_SIGNATURE 6002         /* an account that must sign did not */
#define ERR_ACCOUNT_NOT_WRITABLE 6003      /* an account the instruction writes is read-only */
#define ERR_INVALID_ACCOUNT_OWNER 6004     /* config/vault/position not owned by this program */
#define ERR_INVALID_ACCOUNT_DATA 6005      /* wrong size or kind tag for the expected account */
#define ERR_INVALID_PDA 6006               /* address differs from the seeds + bump derivation */
#define ERR_ALREADY_INITIALIZED 6007       /* account to create already exists (exactly-once) */
#define ERR_DUPLICATE_ACCOUNT 6008         /* the same account passed where distinct ones are required */
#define ERR_UNAUTHORIZED 6009              /* signer is not the admin / owner / operator / delegate */
#define ERR_INVALID_PROGRAM_ID 6010        /* system or token program account is not the real one */
#define ERR_INVALID_MINT 6011              /* mint is not the configured, initialized SPL mint */
#define ERR_INVALID_TOKEN_ACCOUNT 6012     /* token account: wrong program, size, state or mint */
#define ERR_FEE_TOO_HIGH 6013              /* fee bps above 10000 (config) or above config (position) */
#define ERR_INVALID_AMOUNT 6014            /* zero amount, or collateral above risk */
#define ERR_INSUFFICIENT_FREE_BALANCE 6015 /* user (or withdrawing owner) free balance too small */
#define ERR_INSUFFICIENT_COLLATERAL 6016   /* MM free balance cannot cover the collateral */
#define ERR_MATH_OVERFLOW 6017             /* u64 overflow or underflow */
#define ERR_DELEGATE_NOT_OPERATOR 6018     /* enable_trading delegate is not the configured operator */
#define ERR_DELEGATION_EXPIRED 6019        /* delegate used at or after its expiry */
#define ERR_POSITION_CAP_EXCEEDED 6020     /* delegated lock above the per-position cap */
#define ERR_TOTAL_LOCKED_CAP_EXCEEDED 6021 /* delegated lock would pass the total-locked cap */
#define ERR_POSITION_NOT_ACTIVE 6022       /* settle/cancel of a position already settled or cancelled */
#define ERR_POSITION_NOT_FINAL 6023        /* close of a position still active */
#define ERR_RELEASE_WOULD_RAISE 6024       /* release_mm_collateral above the current locked amount */
#define ERR_INVALID_OUTCOME 6025           /* outcome byte is neither win (1) nor loss (2) */
#define ERR_VAULT_MISMATCH 6026            /* vault or vault token account is not the one recorded */
#define ERR_RENT_RECEIVER_MISMATCH 6027    /* close_position receiver is not the recorded rent payer */
#define ERR_NOT_UPGRADE_AUTHORITY 6028     /* initialize_config admin is not the program's upgrade authority */
#define ERR_SETTLEMENT_UNDERFUNDED 6029    /* payer vault would pay out of funds locked for other positions */
#define ERR_EXPIRY_IN_PAST 6030            /* enable_trading expiry not after the current clock */
#define ERR_UNSUPPORTED_RENT 6031          /* rent sysvar threshold not an exactly computable value */
#define ERR_TREASURY_MISMATCH 6032         /* treasury is not the configured treasury token account */

#define TRY(expr)                                                                                      \
  do {                                                                                                 \
    u64 try_err_ = (expr);                                                                             \
    if (try_err_ != 0) return try_err_;                                                                \
  } while (0)
