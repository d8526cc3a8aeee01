"""The dossier ingest's writes: set-based SQL on the two supported engines.

The ORM's ``bulk_create`` spends most of a million-row load building model instances and
adapting values one field at a time; here the rows arrive as tuples already in the column order
and the engine's own bulk path takes them: ``executemany`` of one prepared statement on SQLite,
``COPY … FROM STDIN`` on PostgreSQL. Everything runs inside the caller's transaction.

Ids of new dossiers are reserved up front (the sequence on PostgreSQL; on SQLite the write lock
is taken first, so ``max(id)`` cannot move), so that the first event of each new dossier is
one ``INSERT … SELECT`` per batch instead of a row-by-row round trip.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from cchc.procedures.ingest import LOCAL, utc_to_local
from cchc.procedures.models import Dossier, DossierEvent

INSERT_FIELDS = (
    "id",
    "agency",
    "unit",
    "procedure",
    "code",
    "channel",
    "received_at",
    "due_at",
    "due_computed",
    "finished_at",
    "returned_at",
    "status",
    "status_at",
    "supplement_requested_at",
    "supplement_completed_at",
    "supplement_rounds",
    "components_digitized",
    "result_digitized",
    "paid_online",
    "negative_feedback",
    "finished_effective_at",
    "received_day",
    "finished_day",
    "on_time_when_finished",
    "row_hash",
    "updated_at",
)
# An update leaves the key, the agency and what other modules maintain (negative_feedback).
UPDATE_FIELDS = tuple(
    f for f in INSERT_FIELDS if f not in ("id", "agency", "code", "negative_feedback")
)
_utcoffset = LOCAL.utcoffset
LOCK_NAMESPACE = 7_266_001  # pg_advisory_xact_lock(namespace, agency id): one ingest per agency


def _columns(model, names: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(n).column) for n in names]


class Existing(NamedTuple):
    id: int
    row_hash: str
    status: int
    status_at: dt.datetime | None  # local, naive
    received_day: dt.date
    finished_day: dt.date | None


class Store(abc.ABC):
    """Reads and writes of one agency's dossiers for one ingest (one transaction)."""

    vendor = "generic"

    def __init__(self, agency_id: int) -> None:
        self.agency_id = agency_id
        self.table = connection.ops.quote_name(Dossier._meta.db_table)
        self.events = connection.ops.quote_name(DossierEvent._meta.db_table)
        cols = _columns(Dossier, INSERT_FIELDS)
        self.insert_columns = ", ".join(cols)
        self.update_sql = "UPDATE {} SET {} WHERE id = %s".format(
            self.table, ", ".join(f"{c} = %s" for c in _columns(Dossier, UPDATE_FIELDS))
        )
        self.event_columns = ", ".join(_columns(DossierEvent, ("dossier", "status", "at")))
        self.recorded = connection.ops.quote_name(
            DossierEvent._meta.get_field("recorded_at").column
        )

    # values as the engine takes them; datetimes arrive local and naive
    @staticmethod
    @abc.abstractmethod
    def dt(value: dt.datetime | None) -> Any: ...

    def dt_param(self, value: dt.datetime) -> Any:
        """A datetime as a parameter whose type the statement does not fix (a SELECT list)."""
        return self.dt(value)

    @staticmethod
    def day(value: dt.date | None) -> Any:
        return value

    def lock(self) -> None:
        """Serialise ingests of the agency (and take the write lock where that is global).
        An engine whose transactions already serialise writers needs nothing more."""
        return None

    def has_dossiers(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {self.table} WHERE agency_id = %s LIMIT 1",
                [self.agency_id],
            )
            return cursor.fetchone() is not None

    @abc.abstractmethod
    def existing(self, codes: list[str]) -> dict[str, Existing]: ...

    @abc.abstractmethod
    def new_ids(self, count: int) -> list[int]: ...

    def insert(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.insert_columns}) VALUES ({placeholders})",
                rows,
            )

    def update(self, rows: list[tuple]) -> None:
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.update_sql, rows)

    def add_events(self, rows: list[tuple]) -> None:
        """Events as (dossier id, status, at, recorded at)."""
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.events} ({self.event_columns}, {self.recorded}) "
                    "VALUES (%s, %s, %s, %s)",
                    rows,
                )

    def add_first_events(self, first_id: int, last_id: int, now: dt.datetime) -> None:
        """The first event of the dossiers just inserted with ids first_id..last_id: their
        status, at the status time when the row gives it, else at the receipt (the status was
        reached then or later; the portal does not say when)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.events} ({self.event_columns}, {self.recorded}) "
                f"SELECT id, status, COALESCE(status_at, received_at), %s FROM {self.table} "
                "WHERE agency_id = %s AND id BETWEEN %s AND %s",
                [self.dt_param(now), self.agency_id, first_id, last_id],
            )

    def finish(self) -> None:
        """Undo connection settings made for the ingest (none by default)."""
        return None


class SqliteStore(Store):
    vendor = "sqlite"

    @staticmethod
    def dt(value: dt.datetime | None) -> Any:
        # What Django stores under USE_TZ: UTC, naive, ``str(datetime)``.
        if value is None:
            return None
        return (value - _utcoffset(value)).isoformat(" ")  # type: ignore[operator]

    @staticmethod
    def day(value: dt.date | None) -> Any:
        return None if value is None else value.isoformat()

    def lock(self) -> None:
        with connection.cursor() as cursor:
            # Any write statement takes SQLite's write lock for the rest of the transaction, so
            # max(id) below cannot move under us.
            cursor.execute(f"UPDATE {self.table} SET id = id WHERE 0")
            cursor.execute("PRAGMA cache_size")
            self._cache_size = cursor.fetchone()[0]
            # Index pages of a large load stay in memory (64 MB) instead of churning.
            cursor.execute("PRAGMA cache_size = -65536")
            cursor.execute(f"SELECT MAX(id) FROM {self.table}")
            top = cursor.fetchone()[0] or 0
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [Dossier._meta.db_table]
            )
            row = cursor.fetchone()
            self._next_id = max(top, row[0] if row else 0) + 1
            self._max_params = 900
            raw = getattr(connection.connection, "getlimit", None)
            if raw is not None:
                import sqlite3

                self._max_params = raw(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 10

    def finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")

    def new_ids(self, count: int) -> list[int]:
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    def existing(self, codes: list[str]) -> dict[str, Existing]:
        found: dict[str, Existing] = {}
        size = self._max_params
        with connection.cursor() as cursor:
            for start in range(0, len(codes), size):
                chunk = codes[start : start + size]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT id, code, row_hash, status, status_at, received_day, finished_day "
                    f"FROM {self.table} WHERE agency_id = %s AND code IN ({marks})",
                    [self.agency_id, *chunk],
                )
                for pk, code, row_hash, status, status_at, received, finished in cursor:
                    found[code] = Existing(
                        pk,
                        row_hash,
                        status,
                        _sqlite_local(status_at),
                        _sqlite_day(received),
                        _sqlite_day(finished),
                    )
        return found


def _sqlite_local(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return utc_to_local(value.replace(tzinfo=None))


def _sqlite_day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


class PostgresStore(Store):
    vendor = "postgresql"

    # Text, not datetime objects: COPY formats a row of strings about six times faster than one
    # of aware datetimes (measured with psycopg's C implementation), and in an UPDATE or a
    # VALUES list the column gives the text its type.
    @staticmethod
    def dt(value: dt.datetime | None) -> Any:
        if value is None:
            return None
        return (value - _utcoffset(value)).isoformat(" ") + "+00"  # type: ignore[operator]

    @staticmethod
    def day(value: dt.date | None) -> Any:
        return None if value is None else value.isoformat()

    def dt_param(self, value: dt.datetime) -> Any:
        return (value - _utcoffset(value)).replace(tzinfo=dt.UTC)  # type: ignore[operator]

    def lock(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, self.agency_id])
            # The sequence's oid, once: pg_get_serial_sequence in the query below would be
            # evaluated for every id (a catalogue lookup each: 0.96 s against 0.31 s for
            # 200,000 ids, measured).
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')::regclass::oid", [Dossier._meta.db_table]
            )
            self._sequence = cursor.fetchone()[0]

    def new_ids(self, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)",
                [self._sequence, count],
            )
            return sorted(row[0] for row in cursor.fetchall())

    def existing(self, codes: list[str]) -> dict[str, Existing]:
        found: dict[str, Existing] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, code, row_hash, status, status_at, received_day, finished_day "
                f"FROM {self.table} WHERE agency_id = %s AND code = ANY(%s)",
                [self.agency_id, codes],
            )
            for pk, code, row_hash, status, status_at, received, finished in cursor:
                local = None
                if status_at is not None:
                    local = status_at.astimezone(LOCAL).replace(tzinfo=None)
                found[code] = Existing(pk, row_hash, status, local, received, finished)
        return found

    def insert(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            sql = f"COPY {self.table} ({self.insert_columns}) FROM STDIN"
            with raw.copy(sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)


def store_for(agency_id: int) -> Store:
    if connection.vendor == "postgresql":
        return PostgresStore(agency_id)
    if connection.vendor == "sqlite":
        return SqliteStore(agency_id)
    # DATABASE_URL may only name SQLite or PostgreSQL (README.md); say so plainly otherwise.
    raise ImproperlyConfigured(f"dossier ingest does not support {connection.vendor}")
