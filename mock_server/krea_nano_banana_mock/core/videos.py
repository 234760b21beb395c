"""Result videos: a real, tiny MP4 of the requested size, made on demand.

Krea documents no output format for its video models; the mock answers an MP4 (ISO base media
file) that any player or decoder opens: one video track holding a single JPEG frame (MPEG-4
Part 2 carriage of JPEG, object type 0x6C) shown for the job's duration. It is written box by
box here, because a video encoder library would make the mock's install tens of megabytes
larger for a file that is a few kilobytes.
"""

from __future__ import annotations

import functools
import io
import struct

TIMESCALE = 1000  # milliseconds
# The identity transformation matrix every track header and movie header carries.
MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
JPEG_OBJECT_TYPE = 0x6C  # ISO/IEC 14496-1 objectTypeIndication for JPEG
VISUAL_STREAM = 0x04


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


def _descriptor(tag: int, body: bytes) -> bytes:
    # The four-byte length form: every reader accepts it, whatever the size.
    size = len(body)
    length = bytes(
        [
            0x80 | (size >> 21) & 0x7F,
            0x80 | (size >> 14) & 0x7F,
            0x80 | (size >> 7) & 0x7F,
            size & 0x7F,
        ]
    )
    return bytes([tag]) + length + body


def _sample_entry(width: int, height: int, frame_bytes: int) -> bytes:
    decoder_config = _descriptor(
        0x04,
        bytes([JPEG_OBJECT_TYPE, (VISUAL_STREAM << 2) | 1])
        + frame_bytes.to_bytes(3, "big")
        + struct.pack(">II", frame_bytes * 8, frame_bytes * 8),
    )
    sync_layer = _descriptor(0x06, b"\x02")
    es = _descriptor(0x03, struct.pack(">HB", 1, 0) + decoder_config + sync_layer)
    visual = (
        b"\x00" * 6
        + struct.pack(">H", 1)  # data reference index
        + b"\x00" * 16
        + struct.pack(">HHIIIH", width, height, 0x00480000, 0x00480000, 0, 1)
        + b"\x00" * 32  # compressor name
        + struct.pack(">Hh", 0x0018, -1)
    )
    return _box(b"mp4v", visual, _full_box(b"esds", 0, 0, es))


def _movie(width: int, height: int, duration: int, frame_bytes: int, frame_offset: int) -> bytes:
    mvhd = _full_box(
        b"mvhd", 0, 0,
        struct.pack(">IIII", 0, 0, TIMESCALE, duration),
        struct.pack(">IH", 0x00010000, 0x0100) + b"\x00" * 10,
        MATRIX,
        b"\x00" * 24,
        struct.pack(">I", 2),  # next track id
    )  # fmt: skip
    tkhd = _full_box(
        b"tkhd", 0, 3,  # enabled, in movie
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        b"\x00" * 8,
        struct.pack(">hhhH", 0, 0, 0, 0),
        MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )  # fmt: skip
    mdhd = _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))
    hdlr = _full_box(b"hdlr", 0, 0, b"\x00" * 4, b"vide", b"\x00" * 12, b"VideoHandler\x00")
    vmhd = _full_box(b"vmhd", 0, 1, b"\x00" * 8)
    dinf = _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1)))
    stbl = _box(
        b"stbl",
        _full_box(b"stsd", 0, 0, struct.pack(">I", 1), _sample_entry(width, height, frame_bytes)),
        _full_box(b"stts", 0, 0, struct.pack(">III", 1, 1, duration)),
        _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1)),
        _full_box(b"stsz", 0, 0, struct.pack(">III", 0, 1, frame_bytes)),
        _full_box(b"stco", 0, 0, struct.pack(">II", 1, frame_offset)),
    )
    minf = _box(b"minf", vmhd, dinf, stbl)
    return _box(b"moov", mvhd, _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf)))


def _frame(width: int, height: int) -> bytes:
    from PIL import Image  # only when a video is asked for: the server starts without it

    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    vertical = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (horizontal, vertical, Image.new("L", (width, height), 96)))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=60)
    return buffer.getvalue()


@functools.lru_cache(maxsize=16)
def render_mp4(width: int, height: int, seconds: float = 5.0) -> bytes:
    """An MP4 of one `width` x `height` frame lasting `seconds`; cached by its arguments."""
    frame = _frame(width, height)
    header = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2mp41")
    mdat_offset = len(header) + 8  # the frame starts right after the mdat box header
    movie = _movie(width, height, round(seconds * TIMESCALE), len(frame), mdat_offset)
    return header + _box(b"mdat", frame) + movie
