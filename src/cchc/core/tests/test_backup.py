"""``cchc backup`` and ``cchc restore``: a round trip gives back every row and every file.

Runs on the engine of the suite (SQLite in memory, or PostgreSQL with pg_dump/pg_restore). The
tests are transactional: the dump is taken by another process (pg_dump) or another connection
(SQLite's backup API), which only see committed rows.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cchc.core.backup import MANIFEST, MEDIA, table_fingerprints
from cchc.core.models import Agency, User
from cchc.plans import services as plan_services
from cchc.plans.models import Evidence
from cchc.procedures import rollups
from cchc.procedures.models import Dossier
from cchc.procedures.tests.test_metrics import at, make_dossier, make_procedure
from cchc.testing import require_or_skip

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _tools():
    if connection.vendor == "postgresql":
        require_or_skip(
            shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
            "pg_dump and pg_restore are not installed (apt-get install postgresql-client)",
        )


def command(*args: str) -> tuple[int, dict]:
    """Run a command with --json; its exit code (0 or 1) and the JSON it printed."""
    out = io.StringIO()
    try:
        call_command(*args, "--json", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        assert error.returncode == 1
        return 1, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def installation(live_world):
    """The world, an evidence file on disk and a dossier with its rollups."""
    world = live_world
    plan_services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="Biên bản rà soát.pdf",
        size=len(PDF),
    )
    procedure = make_procedure(world.a.agency, code="1.000001")
    make_dossier(
        procedure,
        received=at("2026-03-02 08:00"),
        due=at("2026-03-06 17:00"),
        finished_at=at("2026-03-05 10:00"),
        unit=world.a.unit,
        code="STP-260302-0001",
    )
    rollups.rebuild(world.a.agency.pk)
    return world


def test_round_trip_gives_back_every_row_and_file(installation, tmp_path):
    world = installation
    before_rows = table_fingerprints()
    before_files = media_files()
    assert before_rows["procedures_dossier"]["rows"] == 1
    assert before_rows["plans_evidence"]["rows"] == 1
    assert len(before_files) == 1 and next(iter(before_files.values())) == PDF

    code, manifest = command("backup", "--out", str(tmp_path / "backup"))
    assert code == 0
    assert manifest["engine"] == connection.vendor
    assert manifest["media"] == {"file": MEDIA, "files": 1}
    assert manifest["database"]["tables"]["core_agency"] == Agency.objects.count()
    assert set(manifest["files"]) == {manifest["database"]["file"], MEDIA}

    # Life goes on after the backup: rows change and disappear, files come and go.
    Dossier.objects.all().delete()
    Agency.objects.filter(pk=world.a.agency.pk).update(name="Sở Tư pháp (đổi tên)")
    User.objects.filter(pk=world.b.viewer.pk).delete()
    User.objects.create_user(username="sau_sao_luu", password="x")
    evidence = Evidence.objects.get()
    Path(evidence.file.path).unlink()
    Evidence.objects.all().delete()
    stray = Path(settings.MEDIA_ROOT) / "jobs" / "2026" / "11" / "stray"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"written after the backup")
    changed_rows = table_fingerprints()
    assert changed_rows != before_rows

    # The database has tables: restoring needs --yes, and a refusal touches nothing.
    code, payload = command("restore", str(tmp_path / "backup"))
    assert code == 1
    assert payload["error"]["code"] == "database_not_empty"
    assert table_fingerprints() == changed_rows

    code, summary = command("restore", str(tmp_path / "backup"), "--yes")
    assert code == 0, summary
    assert summary["media"] == {"files": 1}
    after_rows = table_fingerprints()
    # Compared table by table, so a failure names the table.
    assert set(after_rows) == set(before_rows)
    for table, fingerprint in before_rows.items():
        assert after_rows[table] == fingerprint, table
    assert media_files() == before_files
    # The restored rows are usable through the ORM, and the file through its field.
    assert Agency.objects.get(pk=world.a.agency.pk).name == "Sở Tư pháp"
    with Evidence.objects.get().file.open("rb") as handle:
        assert handle.read() == PDF


def test_a_damaged_backup_is_refused_before_anything_is_touched(installation, tmp_path):
    backup_dir = tmp_path / "backup"
    assert command("backup", "--out", str(backup_dir))[0] == 0
    manifest = json.loads((backup_dir / MANIFEST).read_text())
    database_file = manifest["database"]["file"]
    Agency.objects.filter(pk=installation.a.agency.pk).update(name="Sau sao lưu")
    rows = table_fingerprints()
    files = media_files()

    # One byte changed in the middle of the media archive; the database dump removed.
    archive = backup_dir / MEDIA
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    (backup_dir / database_file).unlink()

    code, payload = command("restore", str(backup_dir), "--yes")
    assert code == 1
    assert payload["error"]["code"] == "damaged"
    assert sorted(payload["error"]["problems"], key=lambda p: p["file"]) == sorted(
        [
            {"file": database_file, "reason": "missing"},
            {"file": MEDIA, "reason": "checksum"},
        ],
        key=lambda p: p["file"],
    )
    assert table_fingerprints() == rows
    assert media_files() == files


def test_restore_refuses_what_is_not_a_backup_of_this_engine(installation, tmp_path):
    code, payload = command("restore", str(tmp_path), "--yes")
    assert (code, payload["error"]["code"]) == (1, "not_a_backup")

    backup_dir = tmp_path / "backup"
    assert command("backup", "--out", str(backup_dir))[0] == 0
    # A second backup never writes over the first.
    code, payload = command("backup", "--out", str(backup_dir))
    assert (code, payload["error"]["code"]) == (1, "not_empty")

    manifest_path = backup_dir / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    manifest_path.write_text(json.dumps({**manifest, "engine": other}))
    code, payload = command("restore", str(backup_dir), "--yes")
    assert (code, payload["error"]["code"]) == (1, "wrong_engine")
    assert Agency.objects.filter(pk=installation.a.agency.pk).exists()
