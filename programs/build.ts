/**
 * Builds the on-chain programs: clang-19 compiles one C translation unit to a BPF object, our linker
 * (programs/sbf) packs it into an SBPFv0 shared object.
 *
 *   node --import tsx programs/build.ts            rebuild and overwrite the committed .so
 *   node --import tsx programs/build.ts --verify   rebuild into a temp dir, exit 1 unless byte-identical
 *
 * The committed .so is what `npm start` and the tests deploy, so no compiler is needed to run the
 * project; CI proves it matches the source with --verify. Reproducibility: clang runs with the source
 * directory as cwd on a relative file name (no absolute path can reach the object), without -g, and the
 * linker output depends only on the object's bytes. Set CLANG to use another clang-19 binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { linkSbf } from './sbf/sbfLinker.ts';

const programsDir = dirname(fileURLToPath(import.meta.url));

export interface ProgramSpec {
  name: string;
  /** Directory holding the sources; clang runs here. */
  sourceDir: string;
  /** The one translation unit, relative to sourceDir. */
  mainFile: string;
  /** Where the committed shared object lives. */
  soPath: string;
  /** Syscalls the program may call; any other undefined name fails the link. */
  syscalls: ReadonlySet<string>;
}

export const parlayVaultsSpec: ProgramSpec = {
  name: 'parlay_vaults',
  sourceDir: join(programsDir, 'parlay_vaults', 'src'),
  mainFile: 'parlay_vaults.c',
  soPath: join(programsDir, 'parlay_vaults', 'parlay_vaults.so'),
  syscalls: new Set([
    'sol_create_program_address',
    'sol_invoke_signed_c',
    'sol_get_clock_sysvar',
    'sol_get_rent_sysvar',
    'sol_log_',
    'sol_panic_',
  ]),
};

/** The exact compiler flags; changing them changes the committed bytes. */
export const CLANG_FLAGS = [
  '-target',
  'bpf',
  '-mcpu=v2', // no ALU32/JMP32: SBPFv0 rejects v3 opcodes and sign-extends 32-bit ALU results
  '-O2',
  '-std=c11',
  '-ffreestanding',
  '-fno-builtin',
  '-fno-stack-protector',
  '-nostdinc',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-mllvm',
  '-bpf-stack-size=4096', // SBPFv0 gives every call frame 4 KiB
];

export const clangBinary = (): string => process.env.CLANG ?? 'clang-19';

export function clangAvailable(): boolean {
  try {
    const version = execFileSync(clangBinary(), ['--version'], { encoding: 'utf8' });
    return /clang version 19\./.test(version);
  } catch {
    return false;
  }
}

/** Compiles and links `spec` into `outDir`, returning the shared object's bytes. */
export function buildProgram(spec: ProgramSpec, outDir: string): Uint8Array {
  const objectPath = join(outDir, `${spec.name}.o`);
  execFileSync(clangBinary(), [...CLANG_FLAGS, '-c', spec.mainFile, '-o', objectPath], {
    cwd: spec.sourceDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const so = linkSbf(readFileSync(objectPath), { syscalls: spec.syscalls });
  writeFileSync(join(outDir, `${spec.name}.so`), so);
  return so;
}

export interface VerifyResult {
  identical: boolean;
  committedBytes: number;
  rebuiltBytes: number;
  /** First differing byte offset, or -1. */
  firstDifference: number;
}

/** Rebuilds in a temp dir and compares with the committed shared object. */
export function verifyProgram(spec: ProgramSpec): VerifyResult {
  const dir = mkdtempSync(join(tmpdir(), `${spec.name}-verify-`));
  try {
    const rebuilt = buildProgram(spec, dir);
    let committed: Uint8Array;
    try {
      committed = readFileSync(spec.soPath);
    } catch {
      committed = new Uint8Array();
    }
    let firstDifference = -1;
    const length = Math.max(rebuilt.length, committed.length);
    for (let i = 0; i < length; i++) {
      if (rebuilt[i] !== committed[i]) {
        firstDifference = i;
        break;
      }
    }
    return {
      identical: firstDifference === -1,
      committedBytes: committed.length,
      rebuiltBytes: rebuilt.length,
      firstDifference,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const verify = process.argv.includes('--verify');
  const spec = parlayVaultsSpec;
  if (verify) {
    const result = verifyProgram(spec);
    if (!result.identical) {
      console.error(
        `${spec.name}.so differs from its source build (committed ${result.committedBytes} B, rebuilt ${result.rebuiltBytes} B, first difference at byte ${result.firstDifference}). Run: node --import tsx programs/build.ts`,
      );
      process.exit(1);
    }
    console.log(`${spec.name}.so is byte-identical to a fresh build (${result.rebuiltBytes} B)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), `${spec.name}-build-`));
  try {
    const so = buildProgram(spec, dir);
    writeFileSync(spec.soPath, so);
    console.log(`wrote ${spec.soPath} (${so.length} B)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr;
    console.error(stderr && stderr.length > 0 ? stderr.toString() : err);
    process.exit(1);
  }
}
