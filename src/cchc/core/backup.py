"""Backups of an installation: the database, the media files and a manifest, in one folder.

A backup folder holds

- ``database.pgdump`` (PostgreSQL: ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite: a copy made
  with SQLite's online backup API, consistent while the site runs);
- ``media.tar``: every file under MEDIA_ROOT (evidence, imported files, generated reports), when
  media are on local disk. On S3-compatible storage the bucket's own versioning or replication is
  the backup of the files, and the manifest says so;
- ``manifest.json``, written last: the size and SHA-256 of each file and the row count of every
  table at the moment of the dump. A folder without a manifest is an unfinished backup.

Restoring checks every checksum before touching anything, refuses a backup of another engine,
refuses to overwrite a database that has tables unless told to, and afterwards compares the
row counts with the manifest. On PostgreSQL the dump and the counts read one snapshot
(``pg_export_snapshot``), so they agree even while people keep working.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
DB_POSTGRESQL = "database.pgdump"
DB_SQLITE = "database.sqlite3"
MEDIA = "media.tar"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; ``code`` is stable for scripts, ``problems`` lists
    each damaged or missing file."""

    def __init__(self, code: str, message: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.problems = problems or []

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "problems": self.problems}


# --- tables -----------------------------------------------------------------------------------


def _engine(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(
            "unsupported_engine",
            _("Backups support PostgreSQL and SQLite, not %(engine)s.") % {"engine": vendor},
        )
    return vendor


def backed_up_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Every table of an installed model (many-to-many tables included) that exists, and the
    migration history."""
    introspection = connections[using].introspection
    tables = set(introspection.django_table_names(only_existing=True, include_views=False))
    if "django_migrations" in introspection.table_names():
        tables.add("django_migrations")
    return sorted(tables)


def row_counts(using: str = DEFAULT_DB_ALIAS, tables: list[str] | None = None) -> dict[str, int]:
    connection = connections[using]
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in tables if tables is not None else backed_up_tables(using):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def table_fingerprints(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Row count and a SHA-256 of every row of every backed-up table, independent of row order.

    For comparing two states of one database (a round trip through backup and restore); it reads
    every row, so it is meant for tests and small installations, not a province's dossiers.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    result = {}
    with connection.cursor() as cursor:
        for table in backed_up_tables(using):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            result[table] = {"rows": len(rows), "sha256": digest}
    return result


def database_has_tables(using: str = DEFAULT_DB_ALIAS) -> bool:
    return bool(connections[using].introspection.table_names())


# --- files ------------------------------------------------------------------------------------


def file_digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": sha.hexdigest()}


def _media_root() -> Path | None:
    """MEDIA_ROOT when media live on local disk; None on another storage (S3)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, subdirs, names in os.walk(root):
        subdirs.sort()
        for name in sorted(names):
            yield Path(directory) / name


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore, so the password never shows in ``ps``."""
    params = connections[using].settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run_tool(args: list[str], *, env: dict[str, str], code: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise BackupError(
            "tool_missing",
            _("%(tool)s is not installed (it comes with the PostgreSQL client package).")
            % {"tool": args[0]},
        )
    completed = subprocess.run(
        [tool, *args[1:]], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(
            code,
            _("%(tool)s failed: %(error)s")
            % {"tool": args[0], "error": completed.stderr.strip()[-2000:]},
        )


# --- backup -----------------------------------------------------------------------------------


def _dump_postgresql(target: Path, using: str) -> dict[str, int]:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("in_transaction", _("A backup cannot run inside a transaction."))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # The first statement of the transaction: the dump and the counts see one snapshot.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run_tool(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            env=_pg_environment(using),
            code="dump_failed",
        )
        return row_counts(using)


def _dump_sqlite(target: Path, using: str) -> dict[str, int]:
    connection = connections[using]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent state even while other processes write.
        connection.connection.backup(destination)
    finally:
        destination.close()
    # Counted in the copy itself, so the counts describe exactly what was saved.
    copy = sqlite3.connect(target)
    try:
        quote = connection.ops.quote_name
        tables = backed_up_tables(using)
        return {
            table: copy.execute(f"SELECT COUNT(*) FROM {quote(table)}").fetchone()[0]
            for table in tables
        }
    finally:
        copy.close()


def _archive_media(target: Path) -> dict[str, Any]:
    root = _media_root()
    if root is None:
        return {
            "skipped": "media are on object storage; use the bucket's versioning or replication",
        }
    count = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        for path in _media_files(root):
            archive.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
            count += 1
    return {"file": MEDIA, "files": count}


def _version() -> str:
    try:
        return metadata.version("cchc")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup_create(*, out_dir: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a backup into ``out_dir`` (new or empty) and return its manifest."""
    engine = _engine(using)
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        raise BackupError(
            "not_empty", _("%(dir)s is not empty; choose a new folder.") % {"dir": out_dir}
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()

    db_name = DB_POSTGRESQL if engine == "postgresql" else DB_SQLITE
    if engine == "postgresql":
        counts = _dump_postgresql(out_dir / db_name, using)
    else:
        counts = _dump_sqlite(out_dir / db_name, using)
    media = _archive_media(out_dir / MEDIA)

    files = {db_name: file_digest(out_dir / db_name)}
    if "file" in media:
        files[MEDIA] = file_digest(out_dir / MEDIA)
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "cchc_version": _version(),
        "django_version": django.get_version(),
        "engine": engine,
        "database": {"file": db_name, "tables": counts},
        "media": media,
        "files": files,
    }
    # Written last and renamed into place: a manifest means the backup is complete.
    partial = out_dir / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.replace(out_dir / MANIFEST)
    return manifest


# --- verify and restore -----------------------------------------------------------------------


def backup_verify(backup_dir: Path) -> dict[str, Any]:
    """The manifest of an intact backup; BackupError listing every damaged file otherwise."""
    backup_dir = Path(backup_dir)
    manifest_path = backup_dir / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(
            "not_a_backup",
            _("%(dir)s has no manifest.json: not a backup, or an unfinished one.")
            % {"dir": backup_dir},
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(
            "damaged", _("The manifest cannot be read."), [{"file": MANIFEST, "reason": str(exc)}]
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            "unknown_format", _("This backup was written in a format this version cannot read.")
        )
    problems = []
    for name, expected in sorted(manifest.get("files", {}).items()):
        path = backup_dir / name
        if Path(name).name != name or not path.is_file():
            problems.append({"file": name, "reason": "missing"})
            continue
        actual = file_digest(path)
        if actual["bytes"] != expected.get("bytes"):
            problems.append(
                {
                    "file": name,
                    "reason": "size",
                    "expected": expected.get("bytes"),
                    "actual": actual["bytes"],
                }
            )
        elif actual["sha256"] != expected.get("sha256"):
            problems.append({"file": name, "reason": "checksum"})
    database_file = manifest.get("database", {}).get("file")
    if database_file not in manifest.get("files", {}):
        problems.append({"file": str(database_file), "reason": "missing"})
    if problems:
        raise BackupError(
            "damaged",
            _("The backup is damaged: %(count)s file(s) missing or changed. Nothing was restored.")
            % {"count": len(problems)},
            problems,
        )
    return manifest


def _restore_postgresql(source: Path, using: str) -> None:
    # Our own connection must hold no lock on the tables pg_restore drops.
    connections[using].close()
    _run_tool(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            # All or nothing: a failure half-way leaves the database as it was.
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connections[using].settings_dict['NAME']}",
            str(source),
        ],
        env=_pg_environment(using),
        code="restore_failed",
    )


def _restore_sqlite(source: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("in_transaction", _("A restore cannot run inside a transaction."))
    origin = sqlite3.connect(source)
    try:
        # Replaces the whole database, page by page, in place (the file keeps its path).
        origin.backup(connection.connection)
    finally:
        origin.close()


@contextmanager
def _extracted(archive_path: Path, near: Path) -> Iterator[Path]:
    near.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=near.parent))
    try:
        with tarfile.open(archive_path) as archive:
            # The "data" filter refuses absolute paths, "..", links out of the tree and devices.
            archive.extractall(staging, filter="data")
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_media(backup_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    media = manifest.get("media", {})
    root = _media_root()
    if "file" not in media:
        return {"skipped": media.get("skipped", "no media in this backup")}
    if root is None:
        raise BackupError(
            "media_storage",
            _("The backup holds media files but this installation stores media on object storage."),
        )
    with _extracted(backup_dir / media["file"], root) as staging:
        root.mkdir(parents=True, exist_ok=True)
        # Files written since the backup go, so the media match the restored rows exactly.
        for child in list(root.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        for child in list(staging.iterdir()):
            shutil.move(str(child), str(root / child.name))
    return {"files": sum(1 for _path in _media_files(root))}


def restore(*, backup_dir: Path, overwrite: bool, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Restore a verified backup into the configured database and MEDIA_ROOT."""
    backup_dir = Path(backup_dir)
    manifest = backup_verify(backup_dir)
    engine = _engine(using)
    if manifest.get("engine") != engine:
        raise BackupError(
            "wrong_engine",
            _("This is a %(backup)s backup; the configured database is %(engine)s.")
            % {"backup": manifest.get("engine"), "engine": engine},
        )
    if database_has_tables(using) and not overwrite:
        raise BackupError(
            "database_not_empty",
            _(
                "The database already has tables. Restoring replaces everything in it and in "
                "the media folder; run again with --yes to go ahead."
            ),
        )
    source = backup_dir / manifest["database"]["file"]
    if engine == "postgresql":
        _restore_postgresql(source, using)
    else:
        _restore_sqlite(source, using)
    media = _restore_media(backup_dir, manifest)

    expected = manifest["database"]["tables"]
    present = set(backed_up_tables(using))
    actual = row_counts(using, [table for table in expected if table in present])
    mismatched = [
        {"table": table, "expected": count, "actual": actual.get(table)}
        for table, count in sorted(expected.items())
        if actual.get(table) != count
    ]
    if mismatched:
        raise BackupError(
            "count_mismatch",
            _("The restored database does not match the backup's row counts."),
            mismatched,
        )
    return {
        "backup": str(backup_dir),
        "created_at": manifest.get("created_at"),
        "engine": engine,
        "tables": len(expected),
        "rows": sum(expected.values()),
        "media": media,
        "restored_at": timezone.now().isoformat(),
    }
