"""The steps an import takes, shared by the command, the web page and the background job."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.plans.importing.appendix import read_appendix_xlsx
from cchc.plans.importing.document import ParsedPlan, PlanImportError
from cchc.plans.importing.parser import parse_file
from cchc.plans.importing.text import fold


def parse_upload(
    data: bytes, name: str, *, appendix: tuple[bytes, str] | None = None, year: int | None = None
) -> ParsedPlan:
    """Parse the plan document and, when given, its appendix workbook."""
    parsed = parse_file(data, name)
    if year is not None:
        parsed.document.year = year
    if appendix is not None:
        appendix_data, _name = appendix
        plan_year = parsed.document.year
        if plan_year is None:
            raise PlanImportError(
                _("The plan year is not in the title; give the year to read the appendix."),
                code="no_year",
            )
        rows = read_appendix_xlsx(appendix_data, year=plan_year)
        parsed.appendix.tasks.extend(rows.tasks)
        parsed.warnings.extend(getattr(rows, "warnings", []))
    return parsed


def find_agency(issuer: str | None) -> Agency | None:
    """The agency whose name is the document's issuer (loosely: case, diacritics, spacing)."""
    if not issuer:
        return None
    wanted = fold(issuer)
    matches = [a for a in Agency.objects.filter(kind="agency") if fold(a.name) == wanted]
    return matches[0] if len(matches) == 1 else None
