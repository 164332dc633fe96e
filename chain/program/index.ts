/**
 * parlay_vaults client: everything takes the program id as a parameter (the dev id in
 * devProgram.ts serves the embedded cluster only).
 */

export * from './associatedToken.ts';
export * from './devProgram.ts';
export * from './errors.ts';
export * from './fastPda.ts';
export { accountIndex, dataLength, INSTRUCTIONS, type InstructionSpec } from './instructionSpecs.ts';
export * from './instructions.ts';
export * from './layout.ts';
export * from './legsHash.ts';
export * from './litesvmHarness.ts';
export * from './pda.ts';
export * from './programIds.ts';
export * from './splToken.ts';
