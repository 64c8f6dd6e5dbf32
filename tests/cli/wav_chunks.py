"""Reads a WAV file's fmt and data chunks with the standard library only (independent of libsndfile),
walking the chunks instead of trusting offsets. Used by the CLI contract checks."""
import struct


def read(path):
    """Returns (fmt, data): fmt = (tag, channels, rate, byte_rate, block_align, bits), data = bytes."""
    raw = open(path, "rb").read()
    pos, info, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos+4], struct.unpack("<I", raw[pos+4:pos+8])[0]
        body = raw[pos+8:pos+8+size]
        if cid == b"fmt ":
            info = struct.unpack("<HHIIHH", body[:16])
        if cid == b"data":
            data = body
        pos += 8 + size + (size & 1)
    return info, data
