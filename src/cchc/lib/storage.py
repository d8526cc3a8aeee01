"""Local file storage that never leaves a partly written file behind.

Django's ``FileSystemStorage`` writes straight into the final name: when the disk fills up or
the process is killed in the middle, a truncated file stays under a name a row may point to
(or that no row points to). Here the content goes to a hidden temporary file in the same folder,
is flushed to disk, and only then gets its final name with ``os.link`` — atomic, and never
overwriting another file. On any failure the temporary file is removed.
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import suppress
from typing import Any

from django.core.files.storage import FileSystemStorage

TEMP_PREFIX = ".part-"


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
            try:
                os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
            finally:
                os.umask(old_umask)
        else:
            os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                if hasattr(content, "seek"):
                    with suppress(AttributeError, OSError, ValueError):
                        content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, self.file_permissions_mode or 0o644)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    # Another upload took the name meanwhile: pick the next free one.
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")
