"""Checks for uploaded files: type from content (never from the name), size, safe names.

Office documents are ZIP archives; they are inspected through their directory without
decompressing anything, and an archive that would expand beyond a bound is refused, so a "zip
bomb" renamed ``.docx`` costs nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ARCHIVE_MEMBERS = 5000


@dataclass(frozen=True)
class FileKind:
    mime: str
    extensions: tuple[str, ...]
    label: str


KINDS = {
    "pdf": FileKind("application/pdf", ("pdf",), "PDF"),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
        "Word (DOCX)",
    ),
    "xlsx": FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
        "Excel (XLSX)",
    ),
    "png": FileKind("image/png", ("png",), "PNG"),
    "jpeg": FileKind("image/jpeg", ("jpg", "jpeg"), "JPEG"),
    "gif": FileKind("image/gif", ("gif",), "GIF"),
    "webp": FileKind("image/webp", ("webp",), "WebP"),
}
EVIDENCE_KINDS = ("pdf", "docx", "xlsx", "png", "jpeg", "gif", "webp")


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    mime: str
    safe_name: str
    size: int
    sha256: str


_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED_WINDOWS = (
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def sanitize_filename(name: str, *, extension: str | None = None, max_length: int = 150) -> str:
    """A name safe to show and to put in a Content-Disposition header: no path, no control or
    shell-special characters, no leading dots, NFC-normalised Vietnamese kept as it is."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _UNSAFE_CHARS.sub("_", name).strip(" ._")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if extension is not None:
        ext = extension
    stem = stem.strip(" ._") or "tep"
    if stem.lower() in _RESERVED_WINDOWS:
        stem = f"_{stem}"
    stem = stem[: max_length - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem


def _office_kind(stream: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise ValidationError(_("The archive has too many parts to be a document."))
            total = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
                raise ValidationError(
                    _("The file expands to an unreasonable size and was refused.")
                )
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def detect_kind(stream: IO[bytes]) -> str | None:
    """The kind of the file by its content, or None if it is none we know."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(stream)
        stream.seek(0)
        return kind
    guessed = filetype.guess(head)
    if guessed is None:
        return None
    by_mime = {k.mime: key for key, k in KINDS.items()}
    return by_mime.get(guessed.mime)


def check_upload(
    uploaded: IO[bytes],
    *,
    name: str,
    size: int,
    allowed: tuple[str, ...] = EVIDENCE_KINDS,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Validate an upload; raise ValidationError with a message for the person uploading."""
    max_bytes = settings.CCHC_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    kind = detect_kind(uploaded)
    allowed_labels = ", ".join(KINDS[k].label for k in allowed)
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("This type of file is not accepted. Accepted types: %(types)s.")
            % {"types": allowed_labels},
            code="bad_type",
        )
    info = KINDS[kind]
    given_ext = name.rpartition(".")[2].lower() if "." in name else ""
    if given_ext and given_ext not in info.extensions:
        raise ValidationError(
            _("The file is named .%(ext)s but its content is %(kind)s.")
            % {"ext": given_ext, "kind": info.label},
            code="extension_mismatch",
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(65536), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(
        kind=kind,
        mime=info.mime,
        safe_name=sanitize_filename(name, extension=given_ext or info.extensions[0]),
        size=size,
        sha256=digest.hexdigest(),
    )
