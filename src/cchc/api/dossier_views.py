"""REST API of the dossier register (``/api/v1/dossiers/``).

``POST /api/v1/dossiers/batch?agency=<id>[&skip_invalid=true]`` is how the province's one-stop
system pushes new and changed dossiers. The body is a JSON array of dossier objects
(``Content-Type: application/json``) or JSON Lines, one object per line
(``application/x-ndjson``), with the fields of the exchange format (DESIGN.md §4.2) by the
portal's names or their English aliases. The rules are those of the file ingest: keyed by
``MaHoSo``, all or nothing unless ``skip_invalid``; the answer is the ingest summary, with 200
when the dossiers were saved and 400 when invalid rows stopped the batch (nothing saved). Who may
push: the agency's reform coordinator or a system administrator (other members 403; anyone else
404 for the agency).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from cchc.api.serializers import ID_MAX, ErrorSerializer
from cchc.api.views import ApiView, errors
from cchc.core.access import access_agency
from cchc.procedures.ingest import DOSSIER_FIELDS, FileError, objects_table, open_table
from cchc.procedures.models import ApologyLetter, Dossier, DossierEvent
from cchc.procedures.selectors import access_dossier, dossier_list
from cchc.procedures.services import Summary, dossier_ingest

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")
STATUS_HELP = gettext_lazy(
    "State code of the national portal: 1 newly registered, 2 accepted, 3 not accepted, "
    "4 being processed, 5 supplement requested, 6 financial obligation requested, 7 withdrawn, "
    "8 processing stopped, 9 processed, 10 result returned."
)


class NdjsonParser(BaseParser):
    """Declares JSON Lines; the view reads the body itself, as a stream."""

    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


# --- shapes --------------------------------------------------------------------------------------


class DossierExchangeSerializer(serializers.Serializer):
    """One dossier of a batch, as the national portal names its fields (the English alias in
    each description is accepted too). Date-times: ISO 8601 or ``14/03/2023 09:30``."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            f.name: serializers.CharField(
                required=f.required,
                allow_blank=not f.required,
                help_text=f"[{f.alias}]",
            )
            for f in DOSSIER_FIELDS
        }


class IngestErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True,
        help_text=gettext_lazy("Position of the dossier in the batch, from 1; null: the body."),
    )
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class IngestSummarySerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = IngestErrorSerializer(many=True)
    errors_total = serializers.IntegerField(
        help_text=gettext_lazy("All errors; the list stops at 1,000.")
    )
    written = serializers.BooleanField(help_text=gettext_lazy("False: nothing was saved."))


class BatchQuerySerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text=gettext_lazy("Agency id.")
    )
    skip_invalid = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Save the valid dossiers and report the others."),
    )


class DossierFilterSerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=gettext_lazy("Agency id.")
    )
    code = serializers.CharField(required=False, max_length=64)
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    status = serializers.IntegerField(
        required=False, min_value=1, max_value=10, help_text=STATUS_HELP
    )


class DossierEventSerializer(serializers.ModelSerializer):
    status = serializers.IntegerField(read_only=True, help_text=STATUS_HELP)

    class Meta:
        model = DossierEvent
        fields = ["status", "at", "recorded_at"]


class ApologyLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApologyLetter
        fields = ["id", "issued_at", "new_due_at", "reason"]


class DossierSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    procedure_code = serializers.CharField(source="procedure.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True, allow_null=True)
    channel = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("1 in person, 2 online, 3 public postal service.")
    )
    status = serializers.IntegerField(read_only=True, help_text=STATUS_HELP)
    paid_online = serializers.IntegerField(
        read_only=True,
        help_text=gettext_lazy("0 no, 1 on the national portal, 2 on a local payment gateway."),
    )

    class Meta:
        model = Dossier
        fields = [
            "id",
            "agency",
            "agency_code",
            "code",
            "procedure",
            "procedure_code",
            "unit",
            "unit_code",
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
            "on_time_when_finished",
            "updated_at",
        ]
        read_only_fields = fields


class DossierDetailSerializer(DossierSerializer):
    events = DossierEventSerializer(many=True, read_only=True)
    apologies = ApologyLetterSerializer(many=True, read_only=True)

    class Meta(DossierSerializer.Meta):
        fields = [*DossierSerializer.Meta.fields, "events", "apologies"]
        read_only_fields = fields


# --- views ---------------------------------------------------------------------------------------


def _body_error(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    summary = Summary()
    summary.error(None, None, message)
    return Response(summary.as_json(), status=code)


class DossierBatchView(ApiView):
    parser_classes = [JSONParser, NdjsonParser]

    @extend_schema(
        tags=["dossiers"],
        operation_id="dossiers_batch",
        description=__doc__.split("\n\n", 1)[1],
        parameters=[BatchQuerySerializer],
        request={
            "application/json": DossierExchangeSerializer(many=True),
            "application/x-ndjson": OpenApiTypes.STR,
        },
        responses={
            **errors(403, 404, 413, 415),
            200: IngestSummarySerializer,
            # Invalid dossiers: the summary (nothing saved); an invalid query: the usual error.
            400: PolymorphicProxySerializer(
                component_name="BatchRefused",
                serializers=[IngestSummarySerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
        },
        examples=[
            OpenApiExample(
                "One dossier",
                request_only=True,
                media_type="application/json",
                value=[
                    {
                        "MaHoSo": "STP-260314-0001",
                        "MaTTHC": "1.001234",
                        "MaDonVi": "P1",
                        "KenhThucHien": "2",
                        "NgayTiepNhan": "2026-03-14T09:30:00",
                        "NgayHenTra": "",
                        "TrangThaiHoSo": "4",
                    }
                ],
            )
        ],
    )
    def post(self, request: Request) -> Response:
        query = self.parse(BatchQuerySerializer, request.query_params)
        agency = access_agency(actor=self.user, agency_id=query["agency"], for_write=True)
        limit = settings.CCHC_IMPORT_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return Response(
                {
                    "error": {
                        "code": "too_large",
                        "message": _(
                            "The batch is larger than %(limit)s MB; send it in smaller parts."
                        )
                        % {"limit": limit // (1024 * 1024)},
                    }
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        raw = request._request
        if content_type in NDJSON_TYPES:
            try:
                table = open_table(raw, DOSSIER_FIELDS)
            except FileError as exc:
                return _body_error(exc.message)
        elif content_type == "application/json":
            try:
                body = json.loads(raw.read(limit + 1) or b"null")
            except ValueError as exc:
                return _body_error(_("The body is not valid JSON (%(error)s).") % {"error": exc})
            if not isinstance(body, list):
                return _body_error(
                    _("Send a JSON array of dossiers, or JSON Lines (application/x-ndjson).")
                )
            table = objects_table(body, DOSSIER_FIELDS)
        else:
            return Response(
                {
                    "error": {
                        "code": "unsupported_media_type",
                        "message": _(
                            "Send application/json (an array) or application/x-ndjson (JSON Lines)."
                        ),
                    }
                },
                status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        summary = dossier_ingest(
            actor=self.user, agency=agency, table=table, skip_invalid=query["skip_invalid"]
        )
        code = status.HTTP_200_OK if summary["written"] else status.HTTP_400_BAD_REQUEST
        return Response(summary, status=code)


class DossierListView(ApiView):
    @extend_schema(
        tags=["dossiers"],
        operation_id="dossiers_list",
        parameters=[DossierFilterSerializer],
        responses={200: DossierSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query: dict[str, Any] = self.parse(DossierFilterSerializer, request.query_params)
        dossiers = dossier_list(
            user=self.user,
            agency_id=query.get("agency"),
            code=query.get("code"),
            received_from=query.get("received_from"),
            received_to=query.get("received_to"),
            status=query.get("status"),
        )
        return self.paginated(dossiers, DossierSerializer)


class DossierDetailView(ApiView):
    @extend_schema(
        tags=["dossiers"],
        operation_id="dossiers_retrieve",
        responses={200: DossierDetailSerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = access_dossier(actor=self.user, dossier_id=pk)
        return Response(DossierDetailSerializer(dossier).data)
