/*
 * parlay_vaults: USDC vaults for parlay RFQs, positions locked at creation and settled by the
 * operator. One translation unit (the other .c files are included here, each once) so that clang-19
 * alone builds it: no linker merge step, and static helpers inline across files.
 * Build: node --import tsx programs/build.ts. Layouts, instructions, errors: ../README.md.
 */
#include "config.c"
#include "position.c"
#include "settle.c"
#include "vault.c"

u64 entrypoint(u8 *input) {
  Context ctx;
  parse_input(input, &ctx);
  if (ctx.data_len == 0) return ERR_INVALID_INSTRUCTION;
  switch (ctx.data[0]) {
    case IX_INITIALIZE_CONFIG:
      return initialize_config(&ctx);
    case IX_UPDATE_CONFIG:
      return update_config(&ctx);
    case IX_INITIALIZE_VAULT:
      return initialize_vault(&ctx);
    case IX_DEPOSIT:
      return deposit(&ctx);
    case IX_WITHDRAW:
      return withdraw(&ctx);
    case IX_ENABLE_TRADING:
      return enable_trading(&ctx);
    case IX_DISABLE_TRADING:
      return disable_trading(&ctx);
    case IX_CREATE_POSITION:
      return create_position(&ctx);
    case IX_SETTLE_POSITION:
      return settle_position(&ctx);
    case IX_CANCEL_POSITION:
      return cancel_position(&ctx);
    case IX_RELEASE_MM_COLLATERAL:
      return release_mm_collateral(&ctx);
    case IX_CLOSE_POSITION:
      return close_position(&ctx);
    default:
      return ERR_INVALID_INSTRUCTION;
  }
}
