"""Unpacking a student's `.zip` without trusting it.

Only the members a caller asks for (`keep`) are written, and only when the whole archive is within
the caps below; nothing else is ever decompressed. A member is never written outside `dest`:
absolute names and names with a `..` component are not unpacked, nor are symbolic links (each is
reported in `Unpacked.skipped`). Sizes are checked twice: the sizes the archive declares before
anything is written, and the bytes actually produced while copying, so an archive that lies about
its sizes cannot fill the disk either. An archive that breaks a cap, or that zipfile cannot read,
raises `ArchiveError` and leaves whatever it had written under `dest` for the caller to delete.

Member names without zip's UTF-8 flag are decoded as UTF-8 (macOS) or CP949 (Korean Windows)
when they are valid there, so `김민수/mnist_bn.py` keeps its name; backslashes count as folder
separators.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .catalog import Text, msg

MB = 1024 * 1024
MAX_MEMBERS = 1000  # entries of any kind in the archive's directory
MAX_FILES = 200  # members actually unpacked
MAX_FILE_BYTES = 20 * MB  # one unpacked member
MAX_TOTAL_BYTES = 50 * MB  # all unpacked members together
MAX_DIRECTORY_BYTES = 1 * MB  # the archive's central directory, checked before zipfile parses it

_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_EOCD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, size, offset, comment length
_LOCATOR = struct.Struct("<4sLQL")  # signature, disk of the Zip64 record, its offset, disks
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # signature, record size, versions, disks, entries here, entries, size, offset
_ENTRY_BYTES = (46, 46 + 3 * 0xFFFF)  # a directory entry: its fixed part, plus a name, extra field and comment
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


class ArchiveError(Exception):
    """The archive was not unpacked; `reason` says why as a sentence fragment (a message of the
    catalog, "it has 1200 entries, more than the 1000 allowed"; or zipfile's own words when it could
    not read the archive)."""

    def __init__(self, reason: Text, corrupt: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.corrupt = corrupt  # True: zipfile could not read it; False: it broke a cap


@dataclass
class Unpacked:
    files: list[PurePosixPath] = field(default_factory=list)  # what was written under dest
    skipped: list[tuple[str, Text]] = field(default_factory=list)  # ("../evil.py", msg: "a path outside the zip")
    others: list[str] = field(default_factory=list)  # member names that `keep` declined


def _mb(size: int) -> float:
    """Bytes in MB, for a template's `{size:.1f} MB`."""
    return size / MB


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it, with `/` between folders."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG:
        try:
            raw = name.encode("cp437")  # what zipfile decoded the bytes as
        except UnicodeEncodeError:
            raw = None
        if raw is not None and not raw.isascii():
            for encoding in ("utf-8", "cp949"):
                try:
                    name = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
    return name.replace("\\", "/")


def _unsafe(name: str, info: zipfile.ZipInfo) -> Text | None:
    if stat.S_ISLNK(info.external_attr >> 16):
        return msg("archives.skipped.link")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return msg("archives.skipped.absolute")
    if ".." in name.split("/"):
        return msg("archives.skipped.outside")
    return None


def _declared(handle: BinaryIO, size: int) -> tuple[list[int], list[int]] | None:
    """(entry counts, directory sizes) that the end records declare, read in at most three bounded
    reads; None when there is no end record (zipfile then refuses the file before reading more).

    The classic record is found where zipfile looks for it (Python 3.11's `_EndRecData`): at the
    very end when there is no comment, else the last signature in the last 64 KiB. When a Zip64
    locator precedes it, zipfile uses the Zip64 record just before the locator instead; the
    locator's own offset must point there too. A classic field holding its "see Zip64" value
    (0xFFFF, 0xFFFFFFFF) declares nothing then; without Zip64 records it is taken literally, as
    zipfile does."""
    tail_size = min(size, (1 << 16) + _EOCD.size)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail_size - _EOCD.size
    if not (at >= 0 and tail[at:at + 4] == _END_OF_DIRECTORY and tail.endswith(b"\0\0")):
        at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or at + _EOCD.size > len(tail):
        return None
    _, _, _, on_disk, total, directory, _, _ = _EOCD.unpack_from(tail, at)
    location = size - tail_size + at  # of the classic record in the file
    locator = b""
    if location >= _LOCATOR.size:
        handle.seek(location - _LOCATOR.size)
        locator = handle.read(_LOCATOR.size)
    if len(locator) < _LOCATOR.size or locator[:4] != _ZIP64_LOCATOR:
        return [on_disk, total], [directory]
    _, _, offset, _ = _LOCATOR.unpack(locator)
    record_at = location - _LOCATOR.size - _EOCD64.size
    record = b""
    if record_at >= 0:
        handle.seek(record_at)
        record = handle.read(_EOCD64.size)
    if offset != record_at or len(record) < _EOCD64.size or record[:4] != _ZIP64_END:
        raise ArchiveError(msg("archives.zip64_misplaced", offset=offset))
    _, _, _, _, _, _, on_disk64, total64, directory64, _ = _EOCD64.unpack(record)
    counts = [on_disk64, total64] + [count for count in (on_disk, total) if count != 0xFFFF]
    return counts, [directory64] + ([directory] if directory != 0xFFFFFFFF else [])


def _check_directory(archive: Path) -> None:
    """Refuse an archive whose end records declare too many entries or too large a directory, or
    contradict each other, before zipfile reads its whole central directory into memory: zipfile
    parses every entry in the directory's declared size in `ZipFile.__init__` (2 million entries
    took about 1 GB), whatever the classic record says."""
    try:
        with archive.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            declared = _declared(handle, size)
    except OSError as exc:
        raise ArchiveError(exc.strerror or str(exc), corrupt=True) from None
    if declared is None:
        return  # zipfile says what is wrong, without reading a directory
    counts, sizes = declared
    if max(counts) > MAX_MEMBERS:
        raise ArchiveError(msg("archives.too_many_entries", entries=max(counts), most=MAX_MEMBERS))
    if max(sizes) > MAX_DIRECTORY_BYTES:
        raise ArchiveError(msg("archives.directory_too_big", size=_mb(max(sizes)), most=_mb(MAX_DIRECTORY_BYTES)))
    if max(sizes) > size:
        raise ArchiveError(msg("archives.directory_past_end", size=max(sizes), file=size))
    if len(set(counts)) > 1 or len(set(sizes)) > 1:
        raise ArchiveError(msg("archives.records_disagree", entries=", ".join(map(str, sorted(set(counts)))),
                               sizes=", ".join(map(str, sorted(set(sizes))))))
    if not _ENTRY_BYTES[0] * counts[0] <= sizes[0] <= _ENTRY_BYTES[1] * counts[0]:
        raise ArchiveError(msg("archives.directory_mismatch", size=sizes[0], entries=counts[0]))


def _copy(source, target: Path, limit: int, name: str) -> int:
    written = 0
    with open(target, "xb") as out:
        while chunk := source.read(min(1 << 20, limit - written + 1)):
            written += len(chunk)
            if written > limit:
                raise ArchiveError(msg("archives.unpacks_to_more", name=name))
            out.write(chunk)
    return written


def unpack(archive: Path, dest: Path, keep: Callable[[PurePosixPath], bool]) -> Unpacked:
    """Write the members of `archive` that `keep` accepts under the existing folder `dest`."""
    _check_directory(archive)
    result = Unpacked()
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ArchiveError(msg("archives.too_many_entries", entries=len(infos), most=MAX_MEMBERS))
            chosen: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
            seen: set[PurePosixPath] = set()
            for info in infos:
                name = member_name(info)
                if info.is_dir() or name.endswith("/"):
                    continue
                why = _unsafe(name, info)
                relative = PurePosixPath(*[part for part in name.split("/") if part not in ("", ".")])
                if why is None and not relative.parts:
                    why = msg("archives.skipped.empty_name")
                if why is not None:
                    result.skipped.append((name, why))
                    continue
                if not keep(relative):
                    result.others.append(name)
                    continue
                if relative in seen:
                    result.skipped.append((name, msg("archives.skipped.same_name")))
                    continue
                seen.add(relative)
                if info.flag_bits & _ENCRYPTED_FLAG:
                    raise ArchiveError(msg("archives.password", name=name))
                if info.file_size > MAX_FILE_BYTES:
                    raise ArchiveError(msg("archives.file_too_big", name=name, size=_mb(info.file_size),
                                           most=_mb(MAX_FILE_BYTES)))
                chosen.append((info, relative))
            if len(chosen) > MAX_FILES:
                raise ArchiveError(msg("archives.too_many_files", files=len(chosen), most=MAX_FILES))
            declared = sum(info.file_size for info, _ in chosen)
            if declared > MAX_TOTAL_BYTES:
                raise ArchiveError(msg("archives.total_too_big", size=_mb(declared), most=_mb(MAX_TOTAL_BYTES)))
            total = 0
            for info, relative in chosen:
                target = dest.joinpath(*relative.parts)
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(info) as source:
                        total += _copy(source, target, min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total), str(relative))
                except OSError as exc:
                    raise ArchiveError(msg("archives.not_written", name=str(relative),
                                           reason=exc.strerror or str(exc))) from None
                result.files.append(relative)
    except ArchiveError:
        raise
    except zipfile.BadZipFile as exc:
        said = str(exc)  # zipfile's words, but its most common one is said in the student's language
        raise ArchiveError(msg("archives.not_a_zip") if said in ("", "File is not a zip file") else said,
                           corrupt=True) from None
    except Exception as exc:  # noqa: BLE001  a damaged archive may fail anywhere inside zipfile or zlib
        raise ArchiveError(f"{type(exc).__name__}: {exc}", corrupt=True) from None
    return result

