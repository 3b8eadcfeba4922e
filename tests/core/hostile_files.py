"""Hostile files built in the test: a zip with a part that unpacks to far more than it packs."""

import struct
import zlib


def deflate_repeated(chunk: bytes, times: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``chunk`` repeated ``times`` times, built without compressing
    more than one chunk: each fully flushed block stands alone, so it can be repeated.
    Returns (compressed, crc32, size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    return block * times + final, crc, len(chunk) * times


def build_zip(members: dict[str, bytes | tuple[bytes, int, int]]) -> bytes:
    """A zip written by hand; a member is plain bytes (deflated here) or an already deflated
    (data, crc, size) triple."""
    body, directory = b"", b""
    for name, content in members.items():
        if isinstance(content, bytes):
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            data = packer.compress(content) + packer.flush()
            crc, size = zlib.crc32(content), len(content)
        else:
            data, crc, size = content
        encoded = name.encode()
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
            len(encoded), 0, 0, 0, 0, 0, len(body),
        ) + encoded  # fmt: skip
        body += header + encoded + data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return body + directory + end
