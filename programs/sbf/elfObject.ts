/**
 * Reads the one thing the SBF linker consumes: a little-endian ELF64 relocatable object for EM_BPF, as
 * clang emits it. Only what the linker needs is decoded (sections, symbols, REL relocations); anything
 * the linker cannot place is refused there, not here.
 */

export const EM_BPF = 247;
export const ET_REL = 1;
export const SHT_SYMTAB = 2;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  bytes: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  /** STT_* in the low nibble of st_info. */
  type: number;
  /** STB_* in the high nibble of st_info. */
  bind: number;
  sectionIndex: number;
  value: number;
  size: number;
}

export interface ElfRelocation {
  /** Offset inside the section the relocation applies to. */
  offset: number;
  type: number;
  symbolIndex: number;
}

export interface ElfObject {
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Relocations keyed by the index of the section they patch. */
  relocations: Map<number, ElfRelocation[]>;
}

export class ElfFormatError extends Error {
  override name = 'ElfFormatError';
}

function cString(bytes: Uint8Array, start: number): string {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

function small(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`${what} out of range`);
  return Number(value);
}

export function readElfObject(file: Uint8Array): ElfObject {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
  if (file.length < 64 || !magic) throw new ElfFormatError('not an ELF file');
  if (file[4] !== 2 || file[5] !== 1) throw new ElfFormatError('expected ELF64 little-endian');
  if (view.getUint16(16, true) !== ET_REL) throw new ElfFormatError('expected a relocatable object (ET_REL)');
  if (view.getUint16(18, true) !== EM_BPF) throw new ElfFormatError('expected e_machine EM_BPF (247)');

  const shoff = small(view.getBigUint64(40, true), 'e_shoff');
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  if (shentsize !== 64 || shoff + shnum * 64 > file.length)
    throw new ElfFormatError('bad section header table');

  const raw = Array.from({ length: shnum }, (_, index) => {
    const at = shoff + index * 64;
    const type = view.getUint32(at + 4, true);
    const offset = small(view.getBigUint64(at + 24, true), 'sh_offset');
    const size = small(view.getBigUint64(at + 32, true), 'sh_size');
    if (type !== SHT_NOBITS && offset + size > file.length)
      throw new ElfFormatError(`section ${index} outside file`);
    return {
      index,
      nameOffset: view.getUint32(at, true),
      type,
      flags: view.getBigUint64(at + 8, true),
      offset,
      size,
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      align: Math.max(1, small(view.getBigUint64(at + 48, true), 'sh_addralign')),
      bytes: type === SHT_NOBITS ? new Uint8Array(size) : file.subarray(offset, offset + size),
    };
  });
  const names = raw[shstrndx]?.bytes;
  if (!names) throw new ElfFormatError('missing section name table');
  const sections: ElfSection[] = raw.map(({ nameOffset, ...rest }) => ({
    ...rest,
    name: cString(names, nameOffset),
  }));

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab) {
    const strtab = sections[symtab.link]?.bytes;
    if (!strtab) throw new ElfFormatError('symbol table without string table');
    const symView = new DataView(symtab.bytes.buffer, symtab.bytes.byteOffset, symtab.bytes.byteLength);
    for (let at = 0; at + 24 <= symtab.size; at += 24) {
      const info = symView.getUint8(at + 4);
      symbols.push({
        name: cString(strtab, symView.getUint32(at, true)),
        type: info & 0xf,
        bind: info >> 4,
        sectionIndex: symView.getUint16(at + 6, true),
        value: small(symView.getBigUint64(at + 8, true), 'st_value'),
        size: small(symView.getBigUint64(at + 16, true), 'st_size'),
      });
    }
  }

  const relocations = new Map<number, ElfRelocation[]>();
  for (const section of sections) {
    if (section.type === SHT_RELA)
      throw new ElfFormatError(`${section.name}: RELA relocations are not supported`);
    if (section.type !== SHT_REL) continue;
    const relView = new DataView(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength);
    const list: ElfRelocation[] = [];
    for (let at = 0; at + 16 <= section.size; at += 16) {
      const info = relView.getBigUint64(at + 8, true);
      list.push({
        offset: small(relView.getBigUint64(at, true), 'r_offset'),
        type: Number(info & 0xffffffffn),
        symbolIndex: Number(info >> 32n),
      });
    }
    relocations.set(section.info, list);
  }
  return { sections, symbols, relocations };
}
