/**
 * Writes the SBPFv0 shared object: ELF header, PT_LOAD + PT_DYNAMIC, the placed sections, then what the
 * loader reads to resolve syscalls (.dynamic, .dynsym, .dynstr, .rel.dyn) and the section headers.
 * Every loaded byte sits at address == file offset (SBPFv0 has no relocation of the image itself).
 */

export interface OutputSection {
  name: string;
  /** Address, equal to the file offset. */
  addr: number;
  bytes: Uint8Array;
  executable: boolean;
}

export interface SharedObjectInput {
  /** Placed after the ELF header and two program headers, in ascending address order. */
  sections: OutputSection[];
  entry: number;
  /** Names for .dynsym (index = position + 1; index 0 is the null symbol). */
  dynamicNames: string[];
  /** R_BPF_64_32 entries: call instruction address and .dynsym index. */
  dynamicRelocations: { addr: number; symbol: number }[];
}

const EM_BPF = 247;
const ET_DYN = 3;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;
const SHT_DYNAMIC = 6;
const SHT_REL = 9;
const SHT_DYNSYM = 11;
const SHF_WRITE = 1;
const SHF_ALLOC = 2;
const SHF_EXECINSTR = 4;
const DT = { NULL: 0, STRTAB: 5, SYMTAB: 6, STRSZ: 10, SYMENT: 11, REL: 17, RELSZ: 18, RELENT: 19 } as const;
const R_BPF_64_32 = 10;
const STB_GLOBAL_NOTYPE = 0x10;

const alignUp = (value: number, align: number): number => Math.ceil(value / align) * align;

class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  add(name: string): number {
    const at = this.size;
    const bytes = new TextEncoder().encode(`${name}\0`);
    this.parts.push(bytes);
    this.size += bytes.length;
    return at;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

interface Header {
  name: number;
  type: number;
  flags: number;
  addr: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

export function writeSharedObject(input: SharedObjectInput): Uint8Array {
  const last = input.sections.at(-1);
  if (!last) throw new Error('no sections to write');
  const shstr = new StringTable();
  const dynstr = new StringTable();
  const dynNameOffsets = input.dynamicNames.map((n) => dynstr.add(n));
  const dynstrBytes = dynstr.bytes();

  const dynsym = new Uint8Array(24 * (input.dynamicNames.length + 1));
  const symView = new DataView(dynsym.buffer);
  dynNameOffsets.forEach((nameOffset, i) => {
    symView.setUint32(24 * (i + 1), nameOffset, true);
    symView.setUint8(24 * (i + 1) + 4, STB_GLOBAL_NOTYPE);
  });

  const relDyn = new Uint8Array(16 * input.dynamicRelocations.length);
  const relView = new DataView(relDyn.buffer);
  input.dynamicRelocations.forEach((r, i) => {
    relView.setBigUint64(16 * i, BigInt(r.addr), true);
    relView.setBigUint64(16 * i + 8, (BigInt(r.symbol) << 32n) | BigInt(R_BPF_64_32), true);
  });

  const hasRel = relDyn.length > 0;
  const dynamicCount = (hasRel ? 7 : 4) + 1;
  const dynamicAddr = alignUp(last.addr + last.bytes.length, 8);
  const dynsymAddr = dynamicAddr + 16 * dynamicCount;
  const dynstrAddr = dynsymAddr + dynsym.length;
  const relAddr = alignUp(dynstrAddr + dynstrBytes.length, 8);
  const loadEnd = relAddr + relDyn.length;

  const entries: [number, number][] = [
    [DT.SYMTAB, dynsymAddr],
    [DT.STRTAB, dynstrAddr],
    [DT.STRSZ, dynstrBytes.length],
    [DT.SYMENT, 24],
  ];
  if (hasRel) entries.push([DT.REL, relAddr], [DT.RELSZ, relDyn.length], [DT.RELENT, 16]);
  entries.push([DT.NULL, 0]);
  const dynamic = new Uint8Array(16 * dynamicCount);
  const dynView = new DataView(dynamic.buffer);
  entries.forEach(([tag, value], i) => {
    dynView.setBigUint64(16 * i, BigInt(tag), true);
    dynView.setBigUint64(16 * i + 8, BigInt(value), true);
  });

  const headers: Header[] = [
    { name: 0, type: 0, flags: 0, addr: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
  ];
  const placed: { addr: number; bytes: Uint8Array }[] = [];
  for (const s of input.sections) {
    const flags = SHF_ALLOC | (s.executable ? SHF_EXECINSTR : 0);
    headers.push({
      name: shstr.add(s.name),
      type: SHT_PROGBITS,
      flags,
      addr: s.addr,
      size: s.bytes.length,
      link: 0,
      info: 0,
      align: 8,
      entsize: 0,
    });
    placed.push(s);
  }
  const dynsymIndex = headers.length + 1;
  const dynstrIndex = headers.length + 2;
  headers.push({
    name: shstr.add('.dynamic'),
    type: SHT_DYNAMIC,
    flags: SHF_ALLOC | SHF_WRITE,
    addr: dynamicAddr,
    size: dynamic.length,
    link: dynstrIndex,
    info: 0,
    align: 8,
    entsize: 16,
  });
  headers.push({
    name: shstr.add('.dynsym'),
    type: SHT_DYNSYM,
    flags: SHF_ALLOC,
    addr: dynsymAddr,
    size: dynsym.length,
    link: dynstrIndex,
    info: 1,
    align: 8,
    entsize: 24,
  });
  headers.push({
    name: shstr.add('.dynstr'),
    type: SHT_STRTAB,
    flags: SHF_ALLOC,
    addr: dynstrAddr,
    size: dynstrBytes.length,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
  });
  placed.push(
    { addr: dynamicAddr, bytes: dynamic },
    { addr: dynsymAddr, bytes: dynsym },
    { addr: dynstrAddr, bytes: dynstrBytes },
  );
  if (hasRel) {
    headers.push({
      name: shstr.add('.rel.dyn'),
      type: SHT_REL,
      flags: SHF_ALLOC,
      addr: relAddr,
      size: relDyn.length,
      link: dynsymIndex,
      info: 0,
      align: 8,
      entsize: 16,
    });
    placed.push({ addr: relAddr, bytes: relDyn });
  }
  const shstrtabIndex = headers.length;
  const shstrtabName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  const shstrOffset = loadEnd;
  headers.push({
    name: shstrtabName,
    type: SHT_STRTAB,
    flags: 0,
    addr: 0,
    size: shstrBytes.length,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
  });
  const shoff = alignUp(shstrOffset + shstrBytes.length, 8);

  const out = new Uint8Array(shoff + 64 * headers.length);
  const view = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  view.setUint16(16, ET_DYN, true);
  view.setUint16(18, EM_BPF, true);
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(input.entry), true);
  view.setBigUint64(32, 64n, true);
  view.setBigUint64(40, BigInt(shoff), true);
  view.setUint32(48, 0, true); // e_flags 0 selects SBPFv0
  view.setUint16(52, 64, true);
  view.setUint16(54, 56, true);
  view.setUint16(56, 2, true);
  view.setUint16(58, 64, true);
  view.setUint16(60, headers.length, true);
  view.setUint16(62, shstrtabIndex, true);

  const first = input.sections[0]?.addr ?? 0;
  const phdr = (at: number, type: number, flags: number, addr: number, size: number): void => {
    view.setUint32(at, type, true);
    view.setUint32(at + 4, flags, true);
    view.setBigUint64(at + 8, BigInt(addr), true);
    view.setBigUint64(at + 16, BigInt(addr), true);
    view.setBigUint64(at + 24, BigInt(addr), true);
    view.setBigUint64(at + 32, BigInt(size), true);
    view.setBigUint64(at + 40, BigInt(size), true);
    view.setBigUint64(at + 48, 8n, true);
  };
  phdr(64, PT_LOAD, 5, first, loadEnd - first);
  phdr(64 + 56, PT_DYNAMIC, 6, dynamicAddr, dynamic.length);
  if (first < 64 + 2 * 56) throw new Error('sections overlap the headers');

  for (const p of placed) out.set(p.bytes, p.addr);
  out.set(shstrBytes, shstrOffset);
  headers.forEach((h, i) => {
    const at = shoff + 64 * i;
    const isShstr = i === shstrtabIndex;
    view.setUint32(at, h.name, true);
    view.setUint32(at + 4, h.type, true);
    view.setBigUint64(at + 8, BigInt(h.flags), true);
    view.setBigUint64(at + 16, BigInt(h.addr), true);
    view.setBigUint64(at + 24, BigInt(isShstr ? shstrOffset : h.addr), true);
    view.setBigUint64(at + 32, BigInt(h.size), true);
    view.setUint32(at + 40, h.link, true);
    view.setUint32(at + 44, h.info, true);
    view.setBigUint64(at + 48, BigInt(h.align), true);
    view.setBigUint64(at + 56, BigInt(h.entsize), true);
  });
  return out;
}
