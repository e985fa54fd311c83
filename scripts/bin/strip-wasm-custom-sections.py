"""Drops the custom sections (names, producers) of a WebAssembly module, in place.

Used by scripts/bin/wasm-opt for the split bundle's smallest chunks. A module is the 8-byte
header and then sections: one id byte, a LEB128 length, the contents. Custom sections (id 0)
carry nothing the module needs to run.
"""
import sys


def uleb128(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def strip(module: bytes) -> bytes:
    if module[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    out = bytearray(module[:8])
    at = 8
    while at < len(module):
        section = module[at]
        length, start = uleb128(module, at + 1)
        end = start + length
        if end > len(module):
            raise ValueError("truncated section")
        if section != 0:
            out += module[at:end]
        at = end
    return bytes(out)


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path, "rb") as f:
        module = f.read()
    stripped = strip(module)
    with open(path, "wb") as f:
        f.write(stripped)
