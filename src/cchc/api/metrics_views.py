"""Service-quality metrics in the API (DESIGN.md §4.3): the same numbers as ``cchc kpi`` and the
dashboard, from ``cchc.procedures.metrics``.

``GET /api/v1/metrics/?agency=&from=&to=&unit=&procedure=&field=`` and ``GET
/api/v1/metrics/late/?…`` (the late dossiers behind the on-time rate). Whoever may read the agency
may read its metrics; anyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cchc.api.serializers import ID_MAX
from cchc.api.views import ApiView, errors
from cchc.core.access import access_agency
from cchc.procedures import metrics
from cchc.procedures.models import Procedure

# --- query parameters --------------------------------------------------------------------------


class MetricsQuerySerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text=gettext_lazy("Agency id.")
    )
    unit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy("Only the dossiers of this unit."),
    )
    procedure = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy("Only this procedure (id)."),
    )
    field = serializers.CharField(
        required=False,
        max_length=255,
        help_text=gettext_lazy("Only the procedures of this field (lĩnh vực)."),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be declared on the class.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False,
            help_text=gettext_lazy("First day (ISO); default: 1 January of this year."),
        )
        fields["to"] = serializers.DateField(
            required=False, help_text=gettext_lazy("Last day (ISO); default: today.")
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        today = timezone.localdate()
        attrs.setdefault("to", today)
        attrs.setdefault("from", dt.date(attrs["to"].year, 1, 1))
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(
                {"from": [_("The start of the period is after its end.")]}
            )
        return attrs


# --- responses ---------------------------------------------------------------------------------


class MetricsSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)
    procedure = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    # "from" is a keyword too; see get_fields.
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy(
            "received, in_scope, on_time, late, online, digitized, fee_bearing, paid_online"
        ),
    )
    rates = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=gettext_lazy(
            "Percentages rounded to 2 decimals (half up); null when there is nothing to measure."
        ),
    )
    points = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=gettext_lazy("Points per item, total and max_total."),
    )
    details = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy(
            "negative, finished_in_period, open_at_end, procedures, procedures_online, "
            "procedures_time_reduced"
        ),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class _ProcedureBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class _UnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class LateDossierSerializer(serializers.Serializer):
    code = serializers.CharField(source="dossier.code")
    procedure = _ProcedureBriefSerializer(source="dossier.procedure")
    unit = _UnitBriefSerializer(source="dossier.unit", allow_null=True)
    received_at = serializers.DateTimeField(source="dossier.received_at")
    due_at = serializers.DateTimeField(source="dossier.due_at")
    finished = serializers.BooleanField(
        help_text=gettext_lazy("Finished within the period (false: still open at its end).")
    )
    effective_end = serializers.DateTimeField(
        help_text=gettext_lazy("The finish time, or the end of the period when still open.")
    )
    days_late = serializers.IntegerField(
        help_text=gettext_lazy(
            "Calendar days after the due time, a started day counting as a whole one."
        )
    )
    apology_in_time = serializers.BooleanField(
        help_text=gettext_lazy("An apology letter was issued at least one day before the due time.")
    )


# --- views -------------------------------------------------------------------------------------


def _parse(view: ApiView, request: Request) -> dict[str, Any]:
    """The query, with the agency checked (404 outside the actor's agencies) and the unit and
    procedure resolved within it (400 otherwise)."""
    query = view.parse(MetricsQuerySerializer, request.query_params)
    agency = access_agency(actor=view.user, agency_id=query["agency"])
    problems: dict[str, list[str]] = {}
    if "unit" in query and not agency.units.filter(pk=query["unit"]).exists():
        problems["unit"] = [_("The agency has no such unit.")]
    if (
        "procedure" in query
        and not Procedure.objects.filter(agency=agency, pk=query["procedure"]).exists()
    ):
        problems["procedure"] = [_("The agency has no such procedure.")]
    if problems:
        raise serializers.ValidationError(problems)
    return {
        "agency": agency.pk,
        "start": query["from"],
        "end": query["to"],
        "unit_id": query.get("unit"),
        "procedure_id": query.get("procedure"),
        "field": query.get("field") or None,
    }


class MetricsView(ApiView):
    @extend_schema(
        tags=["metrics"],
        operation_id="metrics_retrieve",
        description=(
            "The service-quality counts, rates and points (Decision 766/QĐ-TTg) of an agency "
            "for a period, optionally of one unit, procedure or field."
        ),
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer, **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = _parse(self, request)
        result = metrics.compute(
            agency_ids=[query["agency"]],
            start=query["start"],
            end=query["end"],
            unit_id=query["unit_id"],
            procedure_id=query["procedure_id"],
            field=query["field"],
        )
        return Response(
            {
                "agency": query["agency"],
                "unit": query["unit_id"],
                "procedure": query["procedure_id"],
                "field": query["field"],
                **result.as_json(),
                "details": result.details,
            }
        )


class MetricsLateView(ApiView):
    @extend_schema(
        tags=["metrics"],
        operation_id="metrics_late_list",
        description=(
            "The dossiers counted late in the period: finished late within it, or still open "
            "and late at its end; most days late first."
        ),
        parameters=[MetricsQuerySerializer],
        responses={200: LateDossierSerializer(many=True), **errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        query = _parse(self, request)
        late = metrics.late_dossiers(
            query["agency"],
            query["start"],
            query["end"],
            unit_id=query["unit_id"],
            procedure_id=query["procedure_id"],
            field=query["field"],
        )
        return self.paginated(late, LateDossierSerializer)
