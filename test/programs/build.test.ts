/**
 * The build: reproducible (the committed .so is what the sources produce), and the linker refuses what
 * SBPFv0 cannot hold. Compiling needs clang-19 (CI installs it); without it these tests are skipped
 * with a reason, and the committed .so still runs everywhere else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Keypair } from '@solana/web3.js';
import { loadParlayVaultsSo } from '../../chain/program/devProgram.ts';
import { LiteSvmHarness } from '../../chain/program/litesvmHarness.ts';
import {
  buildProgram,
  CLANG_FLAGS,
  clangAvailable,
  clangBinary,
  parlayVaultsSpec,
  verifyProgram,
} from '../../programs/build.ts';
import { linkSbf, SbfLinkError } from '../../programs/sbf/sbfLinker.ts';

const skip = clangAvailable()
  ? false
  : 'clang-19 is not installed (apt-get install -y --no-install-recommends clang-19)';
const scratch = mkdtempSync(join(tmpdir(), 'sbf-build-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function compile(name: string, source: string): Uint8Array {
  writeFileSync(join(scratch, `${name}.c`), source);
  execFileSync(clangBinary(), [...CLANG_FLAGS, '-c', `${name}.c`, '-o', `${name}.o`], {
    cwd: scratch,
    stdio: 'pipe',
  });
  return readFileSync(join(scratch, `${name}.o`));
}

const PRELUDE = 'typedef unsigned long u64;\nvoid sol_log_(const char *m, u64 n);\n';

describe('build', { skip }, () => {
  test('the committed parlay_vaults.so is byte-identical to a fresh build (the --verify routine)', () => {
    const result = verifyProgram(parlayVaultsSpec);
    assert.ok(
      result.identical,
      `committed ${result.committedBytes} B vs rebuilt ${result.rebuiltBytes} B, first difference at ${result.firstDifference}`,
    );
  });

  test('two builds in different directories give identical bytes', () => {
    const a = mkdtempSync(join(scratch, 'a-'));
    const b = mkdtempSync(join(scratch, 'b-'));
    assert.deepEqual(buildProgram(parlayVaultsSpec, a), buildProgram(parlayVaultsSpec, b));
  });

  test('the linker refuses writable data, unknown symbols, extra code sections', () => {
    const syscalls = new Set(['sol_log_']);
    const writable = compile(
      'writable',
      `${PRELUDE}u64 counter = 1;\nu64 entrypoint(u64 *in) { counter += *in; return counter; }\n`,
    );
    assert.throws(
      () => linkSbf(writable, { syscalls }),
      (e: unknown) => e instanceof SbfLinkError && /writable data/.test(e.message),
    );
    const bss = compile(
      'bss',
      `${PRELUDE}u64 counter;\nu64 entrypoint(u64 *in) { counter += *in; return counter; }\n`,
    );
    assert.throws(() => linkSbf(bss, { syscalls }), SbfLinkError);
    const unknown = compile(
      'unknown',
      `${PRELUDE}u64 sol_secret(void);\nu64 entrypoint(void) { return sol_secret(); }\n`,
    );
    assert.throws(
      () => linkSbf(unknown, { syscalls }),
      (e: unknown) => e instanceof SbfLinkError && /sol_secret/.test(e.message),
    );
    const sections = compile(
      'sections',
      `${PRELUDE}__attribute__((section(".text.extra"), noinline)) u64 f(u64 x) { return x * 3; }\nu64 entrypoint(u64 *in) { return f(*in); }\n`,
    );
    assert.throws(
      () => linkSbf(sections, { syscalls }),
      (e: unknown) => e instanceof SbfLinkError && /one code section/.test(e.message),
    );
  });

  test('a linked program with rodata pointers and syscalls runs through the upgradeable loader', () => {
    const so = linkSbf(
      compile(
        'hello',
        `${PRELUDE}static const char *const words[2] = {"alpha", "omega"};\n` +
          'u64 entrypoint(const unsigned char *in) { u64 n = *(const u64 *)in; sol_log_(words[n & 1], 5); return 0; }\n',
      ),
      { syscalls: new Set(['sol_log_']) },
    );
    const h = new LiteSvmHarness();
    const programId = h.deployUpgradeable({ programKeypair: Keypair.generate(), so, authority: h.payer });
    const result = h.send([{ programId, keys: [], data: Buffer.alloc(0) }], [h.payer]);
    assert.ok(result.ok);
    assert.ok(result.logs.includes('Program log: alpha'), result.logs.join('\n'));
  });
});

describe('shared object', () => {
  test('SBPFv0 shape: ET_DYN, EM_BPF, e_flags 0, sections at address == offset, entry in .text', () => {
    const so = loadParlayVaultsSo();
    const view = new DataView(so.buffer, so.byteOffset, so.byteLength);
    assert.equal(view.getUint16(16, true), 3, 'ET_DYN');
    assert.equal(view.getUint16(18, true), 247, 'EM_BPF');
    assert.equal(view.getUint32(48, true), 0, 'e_flags 0 = SBPFv0');
    const shoff = Number(view.getBigUint64(40, true));
    const shnum = view.getUint16(60, true);
    const names = view.getUint16(62, true);
    const nameTable = Number(view.getBigUint64(shoff + names * 64 + 24, true));
    const sections = Array.from({ length: shnum }, (_, i) => {
      const at = shoff + i * 64;
      const nameAt = nameTable + view.getUint32(at, true);
      let end = nameAt;
      while (so[end] !== 0) end++;
      return {
        name: Buffer.from(so.subarray(nameAt, end)).toString(),
        flags: view.getBigUint64(at + 8, true),
        addr: Number(view.getBigUint64(at + 16, true)),
        offset: Number(view.getBigUint64(at + 24, true)),
        size: Number(view.getBigUint64(at + 32, true)),
      };
    });
    assert.deepEqual(
      sections.map((s) => s.name),
      ['', '.text', '.rodata', '.dynamic', '.dynsym', '.dynstr', '.rel.dyn', '.shstrtab'],
    );
    for (const s of sections.filter((x) => (x.flags & 2n) !== 0n))
      assert.equal(s.addr, s.offset, `${s.name} address == offset`);
    const text = sections[1];
    assert.ok(text);
    const entry = Number(view.getBigUint64(24, true));
    assert.ok(entry >= text.addr && entry < text.addr + text.size && (entry - text.addr) % 8 === 0);
  });

  test('the real loader refuses a corrupted ELF (deploy verifies it)', () => {
    const so = Uint8Array.from(loadParlayVaultsSo());
    so[18] = 0x3e; // e_machine x86-64
    const h = new LiteSvmHarness();
    assert.throws(
      () => h.deployUpgradeable({ programKeypair: Keypair.generate(), so, authority: h.payer }),
      /transaction failed/,
    );
  });
});
