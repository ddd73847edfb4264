"""A course as a zip file holding the ``courses/<slug>/`` and ``quizzes/<slug>/`` layout.

:func:`write` is reproducible: entries in path order with fixed timestamps and permissions, so
exporting the same files twice gives the same bytes. :func:`read` treats the zip as hostile: it
refuses paths that climb out of the layout (zip slip), absolute paths, symbolic links, encrypted
entries, too many files and archives that unpack to more than a limit (zip bombs), before
anything is used. Whether the files make a valid course is the content checker's job.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

from .course_files import Tree
from .problems import Problem

#: The earliest time a zip can record; any fixed time makes exports reproducible.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_DRIVE = re.compile(r"^[A-Za-z]:")
_UNIX = 3


@dataclass(frozen=True)
class Limits:
    max_files: int = 500
    #: The sum of the entries' unpacked sizes.
    max_total_bytes: int = 50 * 1024 * 1024


#: Where a refusal about the zip as a whole is reported, and the line of a problem that has none
#: (a zip entry is refused whole): shown as "the zip: ..." and "../../evil.md: ...".
WHOLE_ZIP = "the zip"
NO_LINE = 0


class ZipRefused(ValueError):
    """The zip cannot be imported; ``problems`` name the entries and the reasons."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def write(tree: Tree) -> bytes:
    """The files of ``tree`` as a zip, byte-for-byte the same for the same files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(tree):
            info = zipfile.ZipInfo(path, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = _UNIX
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, tree[path], compresslevel=9)
    return buffer.getvalue()


def read(data: bytes, limits: Limits = Limits()) -> tuple[str, dict[str, bytes]]:
    """The course slug and files in a zip of one course; raises :class:`ZipRefused`.

    Hidden files and macOS's ``__MACOSX/`` folder are ignored, as the content loader ignores hidden
    files in a content root.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise ZipRefused([Problem(WHOLE_ZIP, NO_LINE, "this is not a zip file")]) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > limits.max_files:
            raise ZipRefused([Problem(WHOLE_ZIP, NO_LINE, f"the zip holds {len(entries)} files; the limit is "
                                                   f"{limits.max_files}")])
        total = sum(info.file_size for info in entries)
        if total > limits.max_total_bytes:
            raise ZipRefused([Problem(WHOLE_ZIP, NO_LINE, f"the zip unpacks to {_megabytes(total)}; the limit is "
                                                   f"{_megabytes(limits.max_total_bytes)}")])
        problems: list[Problem] = []
        kept = [info for info in entries if not _ignored(info.filename)]
        for info in kept:
            problems += _entry_problems(info)
        if problems:
            raise ZipRefused(problems)
        slug = _single_course(kept)
        files: dict[str, bytes] = {}
        for info in kept:
            if info.filename in files:
                raise ZipRefused([Problem(info.filename, NO_LINE, "this file is in the zip twice")])
            files[info.filename] = _read_entry(archive, info)
        return slug, files


def _ignored(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") and part not in (".", "..") for part in parts)


def _entry_problems(info: zipfile.ZipInfo) -> list[Problem]:
    name = info.filename
    shown = name.encode("unicode_escape").decode("ascii")
    if "\\" in name or name.startswith("/") or _DRIVE.match(name) or "\0" in name:
        return [Problem(shown, NO_LINE, "absolute or Windows-style path: entries must be courses/<slug>/... "
                                  "or quizzes/<slug>/...")]
    if any(part in ("", ".", "..") for part in name.split("/")):
        return [Problem(shown, NO_LINE, "path with '..' or an empty folder name: refused (it could write outside "
                                  "the course)")]
    if info.create_system == _UNIX and stat.S_ISLNK(info.external_attr >> 16):
        return [Problem(shown, NO_LINE, "symbolic links are refused: put the file itself in the zip")]
    if info.flag_bits & 0x1:
        return [Problem(shown, NO_LINE, "encrypted entries are refused: make the zip without a password")]
    parts = name.split("/")
    if len(parts) < 3 or parts[0] not in ("courses", "quizzes"):
        return [Problem(shown, NO_LINE, "outside the layout: entries must be courses/<slug>/... or quizzes/<slug>/...")]
    return []


def _single_course(entries: list[zipfile.ZipInfo]) -> str:
    slugs = sorted({info.filename.split("/")[1] for info in entries})
    if not slugs:
        raise ZipRefused([Problem(WHOLE_ZIP, NO_LINE, "the zip holds no course files (courses/<slug>/course.md, ...)")])
    if len(slugs) > 1:
        raise ZipRefused([Problem(WHOLE_ZIP, NO_LINE, "the zip holds several courses (" + ", ".join(slugs)
                                  + "): import one course at a time")])
    return slugs[0]


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes; never more than its declared size, which the limits already allowed."""
    try:
        with archive.open(info) as stream:
            data = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError) as exc:
        raise ZipRefused([Problem(info.filename, NO_LINE, f"this entry cannot be unpacked ({exc})")]) from None
    if len(data) != info.file_size:
        raise ZipRefused([Problem(info.filename, NO_LINE,
                                  "this entry is damaged: its size does not match the zip's index")])
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
