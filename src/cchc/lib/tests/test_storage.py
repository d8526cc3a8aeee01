"""The local storage never leaves a partly written file: a write that fails (the disk full, the
process stopped) leaves neither the final name nor its temporary file."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.base import ContentFile, File

from cchc.lib.storage import TEMP_PREFIX, AtomicFileSystemStorage, is_disk_full


class FillingUp(File):
    """Content whose second chunk meets a full disk."""

    def __init__(self) -> None:
        super().__init__(None, name="bao-cao.docx")

    def chunks(self, chunk_size=None):
        yield b"PK" + b"x" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_complete_write_gets_its_name_and_permissions(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("reports/a.docx", ContentFile(b"PK content"))
    assert (tmp_path / name).read_bytes() == b"PK content"
    assert oct((tmp_path / name).stat().st_mode & 0o777) == oct(0o644)
    # The same name again is never overwritten: the second file gets a free name.
    other = storage.save("reports/a.docx", ContentFile(b"PK other"))
    assert other != name and (tmp_path / name).read_bytes() == b"PK content"
    assert not [p for p in (tmp_path / "reports").iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_a_failed_write_leaves_nothing(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError) as caught:
        storage.save("reports/b.docx", FillingUp())
    assert is_disk_full(caught.value)
    assert os.listdir(tmp_path / "reports") == []


def test_a_job_stopped_by_a_full_disk_says_so(world):
    from django.utils import translation

    from cchc.core.jobs import failure_reason

    with translation.override("en"):
        assert "storage is full" in failure_reason(OSError(errno.ENOSPC, "full"))
        assert "unexpected error" in failure_reason(ValueError("x"))
