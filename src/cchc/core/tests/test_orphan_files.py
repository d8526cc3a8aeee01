"""Files no row owns are swept from the owned folders only, once old enough; owned files, young
files and the other folders stay."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction

from cchc.core.orphan_files import OWNED, sweep_orphan_files
from cchc.core.schedule import duty
from cchc.lib.storage import TEMP_PREFIX
from cchc.lib.tests.test_uploads import PDF
from cchc.plans import services

pytestmark = pytest.mark.django_db


def _age(name: str, hours: float) -> None:
    """Make a stored file look written ``hours`` ago."""
    path = Path(settings.MEDIA_ROOT) / name
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.fixture
def files(world):
    evidence = services.evidence_add(
        actor=world.a.officer,
        task=world.a.task,
        uploaded=io.BytesIO(PDF),
        name="Biên bản.pdf",
        size=len(PDF),
    )
    # What a process killed between the file and the commit leaves: the file, no row.
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = services.evidence_add(
            actor=world.a.officer,
            task=world.a.task,
            uploaded=io.BytesIO(PDF),
            name="Bản chụp.pdf",
            size=len(PDF),
        )
        raise RuntimeError("killed before the commit")
    assert default_storage.exists(lost.file.name)
    part = default_storage.save(f"evidence/X/2026/{TEMP_PREFIX}abc", ContentFile(b"%PDF-1."))
    appendix = default_storage.save("jobs/appendix/phu-luc", ContentFile(b"PK"))
    for name in (evidence.file.name, lost.file.name, part, appendix):
        _age(name, 48)
    return evidence.file.name, lost.file.name, part, appendix


def test_old_files_without_a_row_go_and_the_rest_stay(files):
    owned, lost, part, appendix = files
    result = sweep_orphan_files()
    assert sorted(result.deleted) == sorted([lost, part])
    assert result.checked == 3  # the three files of the owned folders
    assert not default_storage.exists(lost) and not default_storage.exists(part)
    assert default_storage.exists(owned) and default_storage.exists(appendix)
    assert sweep_orphan_files().deleted == []


def test_a_file_younger_than_the_minimum_age_stays(files):
    _owned, lost, part, _appendix = files
    _age(lost, 1)  # its row may be about to be committed
    assert sweep_orphan_files().deleted == [part]
    assert default_storage.exists(lost)
    assert sweep_orphan_files(min_age=dt.timedelta(0)).deleted == [lost]


def test_dry_run_lists_and_keeps(files):
    _owned, lost, part, _appendix = files
    assert sorted(sweep_orphan_files(dry_run=True).deleted) == sorted([lost, part])
    assert default_storage.exists(lost) and default_storage.exists(part)


def test_the_command_reports_as_json_and_refuses_a_negative_age(files):
    _owned, lost, part, _appendix = files
    out = io.StringIO()
    call_command("sweep_orphan_files", "--json", "--dry-run", stdout=out)
    report = json.loads(out.getvalue())
    assert report["deleted"] == 2 and report["dry_run"] is True
    assert sorted(report["names"]) == sorted([lost, part])
    with pytest.raises(CommandError):
        call_command("sweep_orphan_files", "--min-age-hours", "-1")


def test_every_owned_folder_names_real_file_fields_and_the_duty_runs_at_night():
    from django.apps import apps
    from django.db.models import FileField

    for fields in OWNED.values():
        for dotted in fields:
            app_label, model_name, field_name = dotted.split(".")
            field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
            assert isinstance(field, FileField)
    nightly = duty("forget_orphan_files")
    assert nightly.at < dt.time(5, 0)
    assert nightly.service()() == 0
