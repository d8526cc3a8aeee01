"""One agency's reform index from opening to the ranking table, in a real Chromium: the
coordinator opens and assigns, a unit proposes with evidence or an explanation, the leader
submits, the appraiser scores and closes the appraisal, the agency explains a disputed
criterion and sends its explanations, the appraiser gives the final score and finalises, and
the province's ranking table shows the agency with its index and band.

The framework is the small one of conftest (two areas, five leaves, maximum 100); the scores
follow the hand-worked example of test_workflow (the appraisers lower 1.2 from 20 to 12,
then settle on 18: final 62 points → 62,00 %, band C)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.core.models import Notification
from cchc.lib.tests.test_uploads import PDF
from cchc.plans.tests.conftest import log_in
from cchc.scoring import services
from cchc.scoring.models import Assessment, AssessmentItem, AssessmentStatus
from cchc.scoring.tests.conftest import item, make_framework

pytestmark = pytest.mark.browser

D = Decimal


def as_user(page, base_url, user):
    page.context.clear_cookies()
    log_in(page, base_url, user.username)


def open_item(page, base_url, assessment, code):
    page.goto(f"{base_url}/index/{assessment.pk}/")
    page.locator(f"[data-testid=item-row][data-code='{code}'] a").first.click()
    page.wait_for_selector("[data-testid=rounds]")


def save(page, form_id):
    page.click(f"[data-testid={form_id}-save]")
    page.wait_for_load_state("networkidle")


def test_one_agency_through_every_round_to_the_ranking(page, live_server, live_world, tmp_path):
    url = live_server.url
    a = live_world.a
    make_framework(year=live_world.year)
    page.on("dialog", lambda dialog: dialog.accept())

    # The coordinator opens the year's assessment and assigns a criterion to a unit.
    as_user(page, url, a.coordinator)
    page.goto(f"{url}/index/")
    page.click("[data-testid=open-assessment]")
    page.fill("#id_submission_deadline", "2099-12-15")
    page.click("[data-testid=open-submit]")
    page.wait_for_selector("[data-testid=criteria-table]")
    assessment = Assessment.objects.get(agency=a.agency)
    assert assessment.items.count() == 5
    open_item(page, url, assessment, "1.1")
    page.select_option("#id_unit", str(a.unit.pk))
    save(page, "assign-form")
    assert page.locator("[data-testid=item-unit]").inner_text() == a.unit.name
    for code in ("1.2", "2.2", "2.3"):  # the rest of the assignments, set up directly
        services.item_assign(actor=a.coordinator, item=item(assessment, code), unit=a.unit)
    # The automatic criterion shows the data behind it.
    open_item(page, url, assessment, "2.1")
    assert page.locator("[data-testid=measured-value]").inner_text().startswith("0")

    # The unit's officer proposes: one score with an evidence file, one with an explanation.
    as_user(page, url, a.officer)
    page.goto(f"{url}/index/{assessment.pk}/")
    assert page.locator("[data-testid=mine] li").count() == 3  # 1.1, 1.2, 2.2
    open_item(page, url, assessment, "1.1")
    evidence = tmp_path / "Quyết định ban hành kế hoạch.pdf"
    evidence.write_bytes(PDF)
    page.fill("#id_score", "16")
    page.set_input_files("#id_evidence_file", str(evidence))
    save(page, "propose-form")
    assert (
        "Quyết định ban hành kế hoạch.pdf"
        in page.locator("[data-testid=evidence-list]").inner_text()
    )
    open_item(page, url, assessment, "1.2")
    page.fill("#id_score", "25")  # above the maximum of 20: refused
    page.fill("#id_note", "Đủ 4 báo cáo")
    save(page, "propose-form")
    assert page.locator("[data-testid=form-errors]").is_visible()
    assert item(assessment, "1.2").self_score is None
    page.fill("#id_score", "20")
    save(page, "propose-form")
    assert item(assessment, "1.2").self_score == D("20.00")
    services.item_propose(actor=a.officer, item=item(assessment, "2.2"), score=30, note="30/40")
    services.item_propose(actor=a.officer, item=item(assessment, "2.3"), score=2, note="2 hồ sơ")

    # The leader approves and submits; from now on the agency's round is read-only.
    as_user(page, url, a.leader)
    page.goto(f"{url}/index/{assessment.pk}/")
    assert "64" in page.locator("[data-testid=total-self]").inner_text()
    page.click("[data-testid=submit-assessment]")
    page.wait_for_selector("[data-testid=total-appraisal]")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED

    # The appraiser scores a criterion lower, with a comment, and closes the appraisal.
    as_user(page, url, live_world.appraiser)
    open_item(page, url, assessment, "1.2")
    page.fill("#id_score", "12")
    page.fill("#id_comment", "Thiếu báo cáo quý I")
    save(page, "appraisal-form")
    assert page.locator("[data-testid=differs]").is_visible()
    page.goto(f"{url}/index/{assessment.pk}/")
    assert (
        page.locator("[data-testid=item-row][data-code='1.2'] [data-testid=differs]").count() == 1
    )
    page.click("[data-testid=close-appraisal]")
    page.wait_for_selector("[data-testid=total-final]")
    closed = Assessment.objects.get(pk=assessment.pk)
    assert (closed.status, closed.appraisal_total) == (AssessmentStatus.APPRAISED, D("56.00"))
    assert Notification.objects.filter(user=a.coordinator, kind="index_appraised").exists()

    # The coordinator explains the disputed criterion and sends the explanations.
    as_user(page, url, a.coordinator)
    open_item(page, url, assessment, "1.2")
    page.fill("#id_explanation", "Báo cáo quý I gửi ngày 14/3 theo Công văn số 25/STP-VP")
    save(page, "explanation-form")
    assert "Công văn số 25" in page.locator("[data-testid=round-explanation]").inner_text()
    page.goto(f"{url}/index/{assessment.pk}/")
    page.click("[data-testid=send-explanations]")
    page.wait_for_load_state("networkidle")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.EXPLAINED

    # The appraiser gives the final score and finalises.
    as_user(page, url, live_world.appraiser)
    open_item(page, url, assessment, "1.2")
    page.fill("#id_score", "18")
    page.fill("#id_comment", "Chấp nhận một phần giải trình")
    save(page, "final-form")
    page.goto(f"{url}/index/{assessment.pk}/")
    page.click("[data-testid=finalize]")
    page.wait_for_selector("[data-testid=band]")
    final = Assessment.objects.get(pk=assessment.pk)
    assert (final.status, final.final_total, final.final_percent, final.band) == (
        AssessmentStatus.FINAL,
        D("62.00"),
        D("62.00"),
        "C",
    )
    row = AssessmentItem.objects.get(assessment=assessment, criterion__code="1.2")
    assert (row.self_score, row.appraisal_score, row.final_score) == (D(20), D(12), D(18))

    # The province's ranking table shows the agency with its final index and band.
    page.goto(f"{url}/index/ranking/?year={live_world.year}&level=department")
    ranked = page.locator(f"[data-testid=ranking-row][data-agency='{a.agency.code}']")
    assert "62,00 %" in ranked.locator("[data-testid=ranking-percent]").inner_text()
    assert ranked.locator("[data-testid=ranking-band]").inner_text() == "C"
