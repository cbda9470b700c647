#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds AMI-style BIOS test images (PI spec vol. 3 volumes, FFS files, sections; LZMA, LZMA+x86
# BCJ and EFI 1.1/Tiano compression; flash descriptor and Aptio capsule containers) and hostile
# variants, for tests/suites/45-rom-extract.sh. UEFIExtract must accept the good ones: the
# suite checks that, so these are real formats, not our own reading of our own bytes.
# usage: fwfixture.py OUTDIR | fwfixture.py --big MIB FILE (a bench image)
import lzma
import os
import struct
import sys
import uuid

FFS2 = "8C8CE578-8A3D-4F1C-9935-896185C32DD3"
FFS3 = "5473C07A-3DCB-4DCA-BD6F-1E9689E7349A"
LZMA = "EE4E5898-3914-4259-9D6E-DC7BD79403CF"
LZMAF86 = "D42AE6BD-1352-4BFB-909A-CA72A6EAE889"
TIANO = "A31280AD-481E-41B6-95E8-127F4C984779"
AMI_OPROM = "A0327FE0-1FDA-4E5B-905D-B510C45A61D0"
AMI_GOP = "380B6B4F-1454-41F2-A6D3-61D1333E8CB4"
AMI_VBIOS = "C5A4306E-E247-4ECD-A9D8-5B1985D3DCDA"
GOP_AMI_FILE = "5BBA83E6-F027-4CA7-BFD0-16358CC9E123"
GOP_SIIP_FILE = "FF0C8745-3270-4439-B74F-3E45F8C77064"
GOP_POLICY = "5C266089-E103-4D43-9AB5-12D7095BE2AF"
DRIVER, FREEFORM, FVIMAGE = 0x07, 0x02, 0x0B


def g(s):
    return uuid.UUID(s).bytes_le


def u16(s):
    return s.encode("utf-16-le")


def align(b, n, fill=b"\0"):
    return b + fill * ((-len(b)) % n)


def pe(tag, gop=True, version="21.0.1054", size=24576):
    """A PE32+ x64 EFI boot-service driver (headers only, then text and filler)."""
    b = bytearray(size)
    b[0:2] = b"MZ"
    struct.pack_into("<I", b, 0x3C, 0x40)
    b[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HH", b, 0x44, 0x8664, 1)
    struct.pack_into("<H", b, 0x54, 0xF0)
    struct.pack_into("<H", b, 0x58, 0x20B)
    struct.pack_into("<H", b, 0x58 + 68, 11)
    text = u16(tag + "\0")
    if gop:
        text += u16("Intel(R) GOP Driver [%s]\0" % tag) + u16(version + "\0")
    b[0x200:0x200 + len(text)] = text
    # Deterministic, partly compressible filler so matches and literals both occur.
    x = sum(tag.encode()) or 1
    for i in range(0x400, size):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        b[i] = (i >> 4) & 0xFF if (x >> 16) % 3 else (x >> 8) & 0xFF
    return bytes(b)


def vbios(tag):
    """A legacy VGA option ROM (55 AA), carrying the GOP string to tempt a careless search."""
    b = bytearray(8192)
    b[0:3] = b"\x55\xaa\x10"
    text = u16("Intel(R) GOP Driver " + tag)
    b[0x100:0x100 + len(text)] = text
    return bytes(b)


def section(typ, body, large=False):
    if large or len(body) + 4 >= 0xFFFFFF:
        return struct.pack("<I", 0xFFFFFF | typ << 24) + struct.pack("<I", len(body) + 8) + body
    return struct.pack("<I", (len(body) + 4) | typ << 24) + body


def sections(*secs):
    out = b""
    for s in secs:
        out = align(out, 4) + s
    return out


def ui(name):
    return section(0x15, u16(name + "\0"))


def freeform(sub, body):
    return section(0x18, g(sub) + body)


def guided(guid, payload, attr=0x01):
    return section(0x02, g(guid) + struct.pack("<HH", 24, attr) + payload)


def lzma_payload(data, x86=False):
    """EDK2 LzmaCompress layout: 5 props bytes, UINT64 size, raw LZMA1 stream."""
    filt = [{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 20, "lc": 3, "lp": 0, "pb": 2}]
    if x86:
        filt.insert(0, {"id": lzma.FILTER_X86})
    raw = lzma.compress(data, format=lzma.FORMAT_RAW, filters=filt)
    return bytes([0x5D]) + struct.pack("<I", 1 << 20) + struct.pack("<Q", len(data)) + raw


# --- EFI 1.1 / Tiano encoder: greedy LZ77 with fixed, complete Huffman codes (UEFI spec,
# "Compression Algorithm Specification": block size, T set, C set, P set, then symbols).
class Bits:
    def __init__(self):
        self.v, self.n, self.out = 0, 0, bytearray()

    def put(self, val, n):
        for i in range(n - 1, -1, -1):
            self.v = self.v << 1 | (val >> i) & 1
            self.n += 1
            if self.n == 8:
                self.out.append(self.v)
                self.v, self.n = 0, 0

    def done(self):
        if self.n:
            self.put(0, 8 - self.n)
        return bytes(self.out)


def canon(lens):
    """Canonical codes in the decoder's order: shorter first, then by symbol."""
    code, codes = 0, {}
    for ln in range(1, 17):
        for s, l in enumerate(lens):
            if l == ln:
                codes[s] = (code, ln)
                code += 1
        code <<= 1
    return codes


def tiano_compress(data, pbit):
    nc, np_ = 510, (1 << pbit) - 1
    clen = [8, 8] + [9] * (nc - 2)
    plen = [pbit - 1] + [pbit] * (np_ - 1)
    ccode, pcode = canon(clen), canon(plen)
    maxdist = (1 << (np_ - 2)) if pbit == 4 else 8192
    syms, i, last = [], 0, {}
    while i < len(data):
        best, bpos = 0, 0
        if i + 3 <= len(data):
            for j in last.get(data[i:i + 3], [])[-16:]:
                if i - j - 1 >= maxdist:
                    continue
                n = 0
                while n < 256 and i + n < len(data) and data[j + n] == data[i + n]:
                    n += 1
                if n > best:
                    best, bpos = n, i - j - 1
        for k in range(i, i + max(best, 1)):
            last.setdefault(data[k:k + 3], []).append(k)
        if best >= 3:
            syms.append((best + 253, bpos))
            i += best
        else:
            syms.append((data[i], None))
            i += 1
    w = Bits()
    for b in range(0, len(syms), 65535):
        blk = syms[b:b + 65535]
        w.put(len(blk), 16)
        # T set: symbols 10 and 11 (C lengths 8 and 9), one bit each.
        w.put(12, 5)
        for _ in range(3):
            w.put(0, 3)
        w.put(3, 2)  # then three more zero lengths (the special run after the third)
        for _ in range(4):
            w.put(0, 3)
        w.put(1, 3)
        w.put(1, 3)
        w.put(nc, 9)
        for l in clen:
            w.put(0 if l == 8 else 1, 1)
        w.put(np_, pbit)
        for l in plen:
            w.put(l, 3)
        for c, pos in blk:
            w.put(*ccode[c])
            if pos is not None:
                p = pos.bit_length()
                w.put(*pcode[p])
                if p > 1:
                    w.put(pos - (1 << (p - 1)), p - 1)
    body = w.done()
    return struct.pack("<II", len(body), len(data)) + body


def compression(data, pbit):
    return section(0x01, struct.pack("<IB", len(data), 1) + tiano_compress(data, pbit))


def ffs(guid, typ, body, ffs3=False, large=False):
    large = large or len(body) + 24 > 0xFFFFFF
    hlen = 32 if large else 24
    size = len(body) + hlen
    attr = 0x01 if large else 0x00
    h = bytearray(g(guid) + struct.pack("<BBBB", 0, 0, typ, attr))
    h += (b"\0\0\0" if large else struct.pack("<I", size)[:3]) + b"\0"
    if large:
        h += struct.pack("<Q", size)
    h[0x10] = (-sum(h)) & 0xFF  # header checksum (State and the file checksum count as 0)
    h[0x11] = 0xAA  # no data checksum
    h[0x17] = 0xF8  # EFI_FILE_DATA_VALID with erase polarity 1 (bits inverted)
    return bytes(h) + body


def volume(files, size, ffs3=False, name=None):
    hdr = bytearray(0x48)
    hdr[0x10:0x20] = g(FFS3 if ffs3 else FFS2)
    struct.pack_into("<Q4sIHHHBB", hdr, 0x20, size, b"_FVH", 0x0004FEFF, 0x48, 0, 0, 0, 2)
    struct.pack_into("<IIII", hdr, 0x38, size // 0x1000, 0x1000, 0, 0)
    struct.pack_into("<H", hdr, 0x32, (-sum(struct.unpack("<36H", hdr))) & 0xFFFF)
    body = bytes(hdr)
    for f in files:
        body = align(body, 8, b"\xff") + f
    if len(body) > size:
        raise SystemExit("volume of %d bytes does not fit %d" % (len(body), size))
    return body + b"\xff" * (size - len(body))


def fit(n):
    return (n + 0x48 + 0xFFF) // 0x1000 * 0x1000 + 0x1000


def vol_of(files, ffs3=False):
    return volume(files, fit(sum(len(f) + 8 for f in files)), ffs3)


def ifd(bios):
    """A 1 MiB-or-larger SPI image: descriptor, ME region, BIOS region at the end."""
    blen = (len(bios) + 0xFFFF) // 0x10000 * 0x10000
    base = 0x100000 - blen if blen < 0x80000 else 0x80000
    total = base + blen
    d = bytearray(b"\xff" * total)
    d[0:0x1000] = b"\0" * 0x1000
    d[0:16] = b"\xff" * 16
    struct.pack_into("<I", d, 0x10, 0x0FF0A55A)
    struct.pack_into("<III", d, 0x14, 0x02040003, 0x10100206, 0x00210120)  # FLMAP0..2
    struct.pack_into("<I", d, 0x30, 0x00000005)  # FLCOMP: 16 Mbit parts
    regs = [0x00000000, ((total - 1) >> 12) << 16 | base >> 12, 0x00000001 | ((base - 1) >> 12) << 16,
            0x00007FFF, 0x00007FFF]
    struct.pack_into("<5I", d, 0x40, *regs)
    d[0x1000:base] = b"\0" * (base - 0x1000)  # ME region (empty here)
    d[base:base + len(bios)] = bios
    return bytes(d)


def aptio_capsule(rom):
    hsize, off = 0x1C, 0x800
    h = bytearray(off)
    h[0:16] = g("14EEBB90-890A-43DB-AED1-5D3C4588A418")
    struct.pack_into("<IIIHH", h, 16, hsize, 0x0000_0000, off + len(rom), off, 0)
    return bytes(h) + rom


def big(mib, path):
    """An AMI-style image of mib MiB for bench/rom-extract.sh: 240 DXE drivers (~8 MiB) and
    the option-ROM container in an LZMA-compressed volume, at the top of a 0xFF-filled flash."""
    files = [ffs("%08X-0000-4000-8000-%012X" % (i, i), DRIVER,
                 sections(section(0x10, pe("Dxe%d" % i, gop=False, size=8192 + (i * 4099) % 57344)),
                          ui("Dxe%d" % i))) for i in range(240)]
    files.append(ffs(AMI_OPROM, FREEFORM, guided(LZMA, lzma_payload(sections(
        freeform(AMI_VBIOS, vbios("legacy")), freeform(AMI_GOP, pe("ADL-N")))))))
    dxe = vol_of(files)
    outer = vol_of([ffs("9E21FD93-9C72-4C15-8C4B-E77F1DB2D792", FVIMAGE,
                        guided(LZMA, lzma_payload(section(0x17, dxe))))])
    with open(path, "wb") as f:
        f.write(b"\xff" * ((mib << 20) - len(outer)) + outer)


def main():
    if sys.argv[1] == "--big":
        return big(int(sys.argv[2]), sys.argv[3])
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def w(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    gop, gop2, policy = pe("ADL-N"), pe("TGL", version="17.0.1081"), pe("policy")
    plain = pe("PlainDxe", gop=False)
    w("gop.efi", gop)
    w("gop2.efi", gop2)
    oprom = ffs(AMI_OPROM, FREEFORM, guided(LZMA, lzma_payload(sections(
        freeform(AMI_VBIOS, vbios("legacy")), freeform(AMI_GOP, gop)))))
    policy_f = ffs(GOP_POLICY, DRIVER, sections(section(0x10, policy), ui("IntelSaGopPolicy")))
    plain_f = ffs("11111111-2222-3333-4444-555555555555", DRIVER,
                  sections(section(0x10, plain), ui("PlainDxe")))
    # The AMI layout: outer volume -> FV-image file -> LZMA -> FV-image section -> DXE volume.
    dxe = vol_of([plain_f, policy_f, oprom])
    outer = vol_of([ffs("9E21FD93-9C72-4C15-8C4B-E77F1DB2D792", FVIMAGE,
                        guided(LZMA, lzma_payload(section(0x17, dxe))))])
    ami = b"\xff" * 0x1000 + outer
    w("ami.bin", ami)
    # The same GOP twice (DXE driver file and AMI container): one candidate, two copies.
    dup = vol_of([ffs(GOP_AMI_FILE, DRIVER, sections(section(0x10, gop), ui("IntelGopDriver"))),
                  oprom])
    w("dup.bin", dup)
    # Two different GOPs: the user must choose.
    w("two.bin", vol_of([oprom, ffs(GOP_SIIP_FILE, DRIVER, sections(section(0x10, gop2)))]))
    # FFSv3: a large file (32-byte header) holding large (8-byte header) sections.
    w("ffs3.bin", vol_of([ffs(GOP_SIIP_FILE, DRIVER, sections(section(0x10, gop, large=True),
                                                             ui("IntelGopDriver")),
                              ffs3=True, large=True)], ffs3=True))
    # EFI 1.1 and Tiano compression sections (type 1), LZMA with the x86 BCJ filter.
    w("tiano.bin", vol_of([ffs(GOP_SIIP_FILE, DRIVER,
                               compression(sections(section(0x10, gop), ui("IntelGopDriver")), 5))]))
    w("efi11.bin", vol_of([ffs(GOP_SIIP_FILE, DRIVER,
                               compression(sections(section(0x10, gop2), ui("IntelGopDriver")), 4))]))
    w("f86.bin", vol_of([ffs(GOP_SIIP_FILE, DRIVER, guided(LZMAF86, lzma_payload(
        sections(section(0x10, gop), ui("IntelGopDriver")), x86=True)))]))
    # Containers: an SPI image with a flash descriptor, an AMI Aptio capsule.
    w("ifd.bin", ifd(ami))
    w("capsule.bin", aptio_capsule(ami))
    w("pfat.bin", b"\0" * 8 + b"_AMIPFAT" + b"AMI_BIOS_GUARD_FLASH_CONFIGURATIONS" + ami[:4096])

    # --- hostile images
    w("truncated.bin", ami[:len(ami) // 2])
    lie = bytearray(dup)
    at = lie.find(g(GOP_AMI_FILE))
    lie[at + 0x14:at + 0x17] = b"\xf0\xff\xff"  # file size far past the volume
    w("lying.bin", bytes(lie))
    inner = vol_of([ffs(GOP_AMI_FILE, DRIVER, sections(section(0x10, gop)))])
    for _ in range(64):  # volume in a file in a volume ... 64 deep
        inner = vol_of([ffs("9E21FD93-9C72-4C15-8C4B-E77F1DB2D792", FVIMAGE, section(0x17, inner))])
    w("nest.bin", inner)
    claim = bytearray(lzma_payload(b"\0" * 4096))
    claim[5:13] = struct.pack("<Q", 4 << 30)  # 4 GiB claimed by a tiny stream
    w("lzma4g.bin", vol_of([ffs(AMI_OPROM, FREEFORM, guided(LZMA, bytes(claim)))]))
    t = bytearray(struct.pack("<IIB", 1 << 20, 1, 1) + tiano_compress(b"\0" * 64, 5))
    t[9:13] = struct.pack("<I", 0xFFFFFFFF)  # OrigSize of the compressed data: 4 GiB
    w("tiano4g.bin", vol_of([ffs(GOP_SIIP_FILE, DRIVER, section(0x01, bytes(t)))]))
    zeros = lzma_payload(section(0x19, b"\0" * (60 << 20)))  # 60 MiB of zeros in ~10 KiB
    w("bomb.bin", vol_of([ffs("22222222-3333-4444-5555-%012d" % i, FREEFORM, guided(LZMA, zeros))
                          for i in range(12)]))


if __name__ == "__main__":
    main()
