"""Saving an imported plan: one transaction, idempotent, updates in place, scoped."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.models import AuditEntry
from cchc.indicators.models import Target
from cchc.plans.importing.draft import DraftArea, DraftTask, PlanDraft
from cchc.plans.importing.services import plan_import
from cchc.plans.models import LegalReference, Plan, Task


def make_draft(world, year=2027, **overrides):
    a = world.a
    draft = PlanDraft(
        year=year,
        title="Cải cách hành chính năm 2027 của Sở Tư pháp",
        number="15",
        symbol="KH-STP",
        issued_on="2027-01-20",
        place="Tỉnh Thử Nghiệm",
        issuer="SỞ TƯ PHÁP",
        signer="Nguyễn Văn Lãnh",
        areas=[DraftArea(1, "Công tác chỉ đạo, điều hành"), DraftArea(3, "Cải cách TTHC")],
        tasks=[
            DraftTask(
                area=1,
                title="Ban hành kế hoạch CCHC năm 2027",
                lead_unit_id=a.office.pk,
                due_date="2027-01-31",
            ),
            DraftTask(
                area=1,
                title="Báo cáo CCHC định kỳ",
                lead_unit_id=a.office.pk,
                recurrence="quarterly",
            ),
            DraftTask(
                area=3,
                title="Rà soát, đơn giản hóa TTHC",
                lead_unit_id=a.unit.pk,
                coordinating_unit_ids=[a.office.pk],
                due_date="2027-06-30",
                product="Báo cáo rà soát",
            ),
        ],
        references=[
            {
                "kind": "Quyết định",
                "number": "1234/QĐ-UBND",
                "date": "2026-12-15",
                "issuer": "Chủ tịch UBND tỉnh",
                "text": "Căn cứ Quyết định số 1234/QĐ-UBND",
            }
        ],
        targets=[
            {"indicator": "satisfaction", "value": 90.0, "unit": "%", "text": "hài lòng ≥ 90%"},
            {"indicator": "rank:PAR_INDEX", "value": 10, "unit": "top", "text": "top 10"},
        ],
    )
    for key, value in overrides.items():
        setattr(draft, key, value)
    return draft


def test_import_creates_plan_areas_tasks_references_targets(world):
    summary = plan_import(actor=world.a.coordinator, agency=world.a.agency, draft=make_draft(world))
    plan = Plan.objects.get(agency=world.a.agency, year=2027)
    assert summary["created"] == 3 and summary["plan_created"] is True
    assert plan.reference == "15/KH-STP" and plan.issued_on.isoformat() == "2027-01-20"
    codes = list(
        plan.tasks.filter(parent__isnull=True).order_by("code").values_list("code", flat=True)
    )
    assert codes == ["II.1.a", "II.1.b", "II.3.a"]
    quarterly = plan.tasks.get(code="II.1.b")
    assert quarterly.children.count() == 4
    rasoat = plan.tasks.get(code="II.3.a")
    assert rasoat.lead_unit == world.a.unit
    assert list(rasoat.coordinating_units.all()) == [world.a.office]
    # Areas the document did not name still exist, with their standard titles.
    assert sorted(plan.areas.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert plan.areas.get(number=1).title == "Công tác chỉ đạo, điều hành"
    ref = LegalReference.objects.get(plan=plan)
    assert (ref.number, ref.date.isoformat()) == ("1234/QĐ-UBND", "2026-12-15")
    targets = {t.indicator.code if t.indicator else t.ranking: t for t in plan.targets.all()}
    assert targets["satisfaction"].value == 90
    assert targets["PAR_INDEX"].kind == "rank" and targets["PAR_INDEX"].unit == "top"
    assert AuditEntry.objects.filter(action="task.import", agency=world.a.agency).count() == 3


def test_importing_the_same_draft_again_changes_nothing(world):
    plan_import(actor=None, agency=world.a.agency, draft=make_draft(world))
    tasks_before = Task.objects.count()
    summary = plan_import(actor=None, agency=world.a.agency, draft=make_draft(world))
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 3)
    assert Task.objects.count() == tasks_before
    assert Target.objects.filter(plan__year=2027).count() == 2
    assert LegalReference.objects.count() == 1


def test_a_revised_document_updates_in_place_and_keeps_progress(world):
    from cchc.plans import services

    plan_import(actor=None, agency=world.a.agency, draft=make_draft(world))
    task = Task.objects.get(plan__year=2027, code="II.3.a")
    services.task_update_progress(actor=world.a.coordinator, task=task, percent=40)
    draft = make_draft(world)
    draft.tasks[2].due_date = "2027-09-30"
    draft.tasks[2].title = "Rà soát, đơn giản hóa thủ tục hành chính"
    summary = plan_import(actor=None, agency=world.a.agency, draft=draft)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 2)
    task.refresh_from_db()
    assert task.progress == 40 and task.due_date.isoformat() == "2027-09-30"
    assert summary["warnings"] == []


def test_tasks_missing_from_a_new_version_are_kept_and_reported(world):
    plan_import(actor=None, agency=world.a.agency, draft=make_draft(world))
    draft = make_draft(world)
    draft.tasks = draft.tasks[:2]
    summary = plan_import(actor=None, agency=world.a.agency, draft=draft)
    assert Task.objects.filter(plan__year=2027, code="II.3.a").exists()
    assert any("II.3.a" in w for w in summary["warnings"])


@pytest.mark.parametrize("person", ["viewer", "leader", "officer"])
def test_only_coordinators_import(world, person):
    with pytest.raises(PermissionDenied):
        plan_import(actor=getattr(world.a, person), agency=world.a.agency, draft=make_draft(world))
    with pytest.raises(PermissionDenied):
        plan_import(actor=world.b.coordinator, agency=world.a.agency, draft=make_draft(world))
    assert not Plan.objects.filter(year=2027).exists()


def test_bad_drafts_save_nothing(world):
    bad = make_draft(world)
    bad.tasks[0].lead_unit_id = world.b.unit.pk  # a unit of another agency
    bad.tasks[1].title = "  "
    bad.tasks[2].due_date = "2027-02-30"
    with pytest.raises(ValidationError) as err:
        plan_import(actor=world.a.coordinator, agency=world.a.agency, draft=bad)
    assert len(err.value.message_dict["tasks"]) >= 2
    assert not Plan.objects.filter(year=2027).exists()
    with pytest.raises(ValidationError):
        plan_import(actor=None, agency=world.a.agency, draft=make_draft(world, tasks=[]))


def test_draft_json_round_trip(world):
    draft = make_draft(world)
    assert PlanDraft.from_json(draft.as_json()) == draft


def test_draft_warns_when_the_issuer_is_another_agency(world):
    from pathlib import Path

    from cchc.plans.importing.draft import draft_from_parsed
    from cchc.plans.importing.parser import parse_file

    path = Path(__file__).parent / "documents" / "so_tu_phap_2026.txt"
    parsed = parse_file(path.read_bytes(), path.name)
    own = draft_from_parsed(parsed, agency=world.a.agency)  # Sở Tư pháp
    assert not any("issued by" in w or "ban hành" in w for w in own.warnings[:1])
    other = draft_from_parsed(parsed, agency=world.b.agency)  # Sở Y tế
    assert "Sở Y tế" in other.warnings[0]
    assert len(other.tasks) == len(own.tasks) == 25
