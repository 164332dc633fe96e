/**
 * Turns one clang BPF relocatable object into an SBPFv0 shared object the BPF loaders accept.
 *
 * No stock linker does this job here (ld.lld 14 rejects relocation 10, ld.lld 19 rejects e_machine 247 for
 * shared output), and what SBPFv0 needs is small:
 *  - SBPFv0 maps the image at MM_PROGRAM_START + virtual address, without ASLR, and the loader wants
 *    each loaded section's address equal to its file offset. So every data address is final at link
 *    time and is written straight into the code (lddw) and into rodata (pointer tables): no dynamic
 *    relocation is left for them.
 *  - A call to a function inside .text becomes a pc-relative immediate; the loader turns those into its
 *    own function keys at load time.
 *  - A call to an undefined name is a syscall: imm = -1 plus a `.rel.dyn` R_BPF_64_32 entry against a
 *    `.dynsym` name, which the loader resolves to the syscall by name (so no hash is computed here).
 * What it cannot place it refuses loudly: writable data, a second code section, unknown relocations.
 * Output is a pure function of the input bytes (no time stamps, no paths): builds are reproducible.
 */
import {
  type ElfObject,
  type ElfSection,
  type ElfSymbol,
  readElfObject,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_NOBITS,
} from './elfObject.ts';
import { type OutputSection, writeSharedObject } from './sharedObject.ts';

export const MM_PROGRAM_START = 0x1_0000_0000n;
const R_BPF_64_64 = 1;
const R_BPF_64_ABS64 = 2;
const R_BPF_64_32 = 10;
const STT_SECTION = 3;

export class SbfLinkError extends Error {
  override name = 'SbfLinkError';
}

export interface LinkOptions {
  /** Names a call may leave undefined: the runtime's syscalls this program is allowed to use. */
  syscalls: ReadonlySet<string>;
  entrypoint?: string;
}

const IGNORED_SECTIONS = new Set(['', '.strtab', '.symtab', '.llvm_addrsig', '.comment', '.note.GNU-stack']);

function isRodata(s: ElfSection): boolean {
  return s.name === '.rodata' || s.name.startsWith('.rodata.');
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** Which input sections go where; refuses anything SBPFv0 cannot hold. */
function classify(obj: ElfObject): { text: ElfSection; rodata: ElfSection[] } {
  const texts: ElfSection[] = [];
  const rodata: ElfSection[] = [];
  for (const s of obj.sections) {
    if (IGNORED_SECTIONS.has(s.name) || s.name.startsWith('.rel.') || (s.flags & SHF_ALLOC) === 0n) continue;
    if (
      (s.flags & SHF_WRITE) !== 0n ||
      s.type === SHT_NOBITS ||
      s.name.startsWith('.data') ||
      s.name.startsWith('.bss')
    ) {
      if (s.size > 0)
        throw new SbfLinkError(`writable data is not supported (section ${s.name}): use const data only`);
      continue;
    }
    if ((s.flags & SHF_EXECINSTR) !== 0n) {
      if (s.size > 0) texts.push(s);
      continue;
    }
    if (!isRodata(s)) throw new SbfLinkError(`unexpected allocated section ${s.name}`);
    if (s.size > 0) rodata.push(s);
  }
  if (texts.length !== 1 || texts[0]?.name !== '.text') {
    throw new SbfLinkError(
      `expected exactly one code section named .text, found [${texts.map((s) => s.name).join(', ')}]`,
    );
  }
  for (const [target, relocs] of obj.relocations) {
    const section = obj.sections[target];
    if (
      section &&
      relocs.length > 0 &&
      section !== texts[0] &&
      !rodata.includes(section) &&
      !IGNORED_SECTIONS.has(section.name)
    ) {
      throw new SbfLinkError(`relocations against unsupported section ${section.name}`);
    }
  }
  for (const sym of obj.symbols) {
    if (sym.sectionIndex === SHN_COMMON) throw new SbfLinkError(`common symbol ${sym.name} is writable data`);
  }
  return { text: texts[0], rodata };
}

export function linkSbf(objectFile: Uint8Array, options: LinkOptions): Uint8Array {
  const obj = readElfObject(objectFile);
  const { text, rodata } = classify(obj);

  // Layout: headers, then .text, then all rodata merged, each section at address == file offset.
  const headerEnd = 64 + 2 * 56;
  const textAddr = alignUp(headerEnd, 8);
  let cursor = textAddr + text.size;
  const sectionAddr = new Map<number, number>([[text.index, textAddr]]);
  let rodataAlign = 1;
  for (const s of rodata) rodataAlign = Math.max(rodataAlign, s.align);
  const rodataAddr = alignUp(cursor, rodataAlign);
  cursor = rodataAddr;
  for (const s of rodata) {
    cursor = alignUp(cursor, s.align);
    sectionAddr.set(s.index, cursor);
    cursor += s.size;
  }
  const rodataBytes = new Uint8Array(cursor - rodataAddr);
  for (const s of rodata) rodataBytes.set(s.bytes, (sectionAddr.get(s.index) ?? 0) - rodataAddr);
  const textBytes = new Uint8Array(text.bytes);

  const symbolAddress = (sym: ElfSymbol, where: string): number => {
    const base = sectionAddr.get(sym.sectionIndex);
    if (base === undefined)
      throw new SbfLinkError(`${where}: symbol ${sym.name || '(section)'} is not in .text or .rodata`);
    return base + (sym.type === STT_SECTION ? 0 : sym.value);
  };
  const symbolAt = (index: number, where: string): ElfSymbol => {
    const sym = obj.symbols[index];
    if (!sym) throw new SbfLinkError(`${where}: bad symbol index ${index}`);
    return sym;
  };

  const textView = new DataView(textBytes.buffer);
  const dynamicNames: string[] = [];
  const syscallCalls: { offset: number; name: string }[] = [];
  for (const rel of obj.relocations.get(text.index) ?? []) {
    const where = `.text+0x${rel.offset.toString(16)}`;
    if (rel.offset % 8 !== 0 || rel.offset + 8 > textBytes.length)
      throw new SbfLinkError(`${where}: misplaced relocation`);
    const sym = symbolAt(rel.symbolIndex, where);
    if (rel.type === R_BPF_64_64) {
      if (rel.offset + 16 > textBytes.length) throw new SbfLinkError(`${where}: lddw runs past .text`);
      if (sym.sectionIndex === text.index)
        throw new SbfLinkError(`${where}: function pointers are not supported`);
      const addend = BigInt(textView.getUint32(rel.offset + 4, true));
      const address = MM_PROGRAM_START + BigInt(symbolAddress(sym, where)) + addend;
      textView.setUint32(rel.offset + 4, Number(address & 0xffffffffn), true);
      textView.setUint32(rel.offset + 12, Number(address >> 32n), true);
    } else if (rel.type === R_BPF_64_32) {
      if (textBytes[rel.offset] !== 0x85)
        throw new SbfLinkError(`${where}: R_BPF_64_32 on a non-call instruction`);
      if (sym.sectionIndex === SHN_UNDEF) {
        if (!options.syscalls.has(sym.name))
          throw new SbfLinkError(`${where}: undefined symbol ${sym.name} is not an allowed syscall`);
        textView.setInt32(rel.offset + 4, -1, true);
        if (!dynamicNames.includes(sym.name)) dynamicNames.push(sym.name);
        syscallCalls.push({ offset: rel.offset, name: sym.name });
      } else if (sym.sectionIndex === text.index) {
        const target = symbolAddress(sym, where) - textAddr;
        textView.setInt32(rel.offset + 4, target / 8 - rel.offset / 8 - 1, true);
      } else {
        throw new SbfLinkError(`${where}: call to ${sym.name} outside .text`);
      }
    } else {
      throw new SbfLinkError(`${where}: unsupported relocation type ${rel.type} in .text`);
    }
  }

  const rodataView = new DataView(rodataBytes.buffer);
  for (const s of rodata) {
    const base = (sectionAddr.get(s.index) ?? 0) - rodataAddr;
    for (const rel of obj.relocations.get(s.index) ?? []) {
      const where = `${s.name}+0x${rel.offset.toString(16)}`;
      if (rel.type !== R_BPF_64_ABS64)
        throw new SbfLinkError(`${where}: unsupported relocation type ${rel.type} in rodata`);
      if (rel.offset + 8 > s.size) throw new SbfLinkError(`${where}: relocation outside its section`);
      const sym = symbolAt(rel.symbolIndex, where);
      if (sym.sectionIndex === text.index)
        throw new SbfLinkError(`${where}: function pointers are not supported`);
      const addend = rodataView.getBigUint64(base + rel.offset, true);
      rodataView.setBigUint64(
        base + rel.offset,
        MM_PROGRAM_START + BigInt(symbolAddress(sym, where)) + addend,
        true,
      );
    }
  }

  const entryName = options.entrypoint ?? 'entrypoint';
  const entry = obj.symbols.find((s) => s.name === entryName && s.sectionIndex === text.index);
  if (!entry) throw new SbfLinkError(`entrypoint symbol ${entryName} not found in .text`);

  const sections: OutputSection[] = [{ name: '.text', addr: textAddr, bytes: textBytes, executable: true }];
  if (rodataBytes.length > 0)
    sections.push({ name: '.rodata', addr: rodataAddr, bytes: rodataBytes, executable: false });
  return writeSharedObject({
    sections,
    entry: textAddr + entry.value,
    dynamicNames,
    dynamicRelocations: syscallCalls.map((c) => ({
      addr: textAddr + c.offset,
      symbol: dynamicNames.indexOf(c.name) + 1,
    })),
  });
}
