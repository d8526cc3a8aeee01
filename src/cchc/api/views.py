"""REST API views (``/api/v1/``): parse, check access, call the service, render.

Reads go through the selectors and ``access_*`` helpers (outsiders get 404, readers who write get
403); writes go through the same services as the HTML pages. Errors have the shape of
``cchc.api.errors`` and are documented by the ``Error`` component.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.api import filters
from cchc.api import serializers as s
from cchc.core.access import access_agency, agencies_visible_to
from cchc.core.models import Unit, User
from cchc.lib.downloads import attachment_response
from cchc.plans import services
from cchc.plans.access import (
    PlanAction,
    TaskAction,
    access_evidence,
    access_plan,
    access_task,
)
from cchc.plans.models import Task
from cchc.plans.selectors import plans_visible_to, task_list

# --- shared pieces -----------------------------------------------------------------------------


def errors(*codes: int) -> dict[int, type[s.ErrorSerializer]]:
    """Error responses of an operation; 401 applies to every authenticated endpoint."""
    return dict.fromkeys((401, *codes), s.ErrorSerializer)


ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="The task's version, quoted; send it back in If-Match.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description='The task\'s version as given by its ETag (e.g. "3"), instead of "version".',
)


class ApiView(APIView):
    # JSON in, JSON out; only the evidence upload takes multipart.
    parser_classes = [JSONParser]
    pagination_class = LimitOffsetPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # No row has an id beyond a BigAutoField's range; asking the database would overflow.
        if kwargs.get("pk", 0) > s.ID_MAX:
            raise exceptions.NotFound()

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def parse(
        self, serializer_class: type[serializers.Serializer], data: Any, **context: Any
    ) -> Any:
        serializer = serializer_class(
            data=data, context={"request": self.request, "user": self.user, **context}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def paginated(
        self, queryset: QuerySet, serializer_class: type[serializers.BaseSerializer]
    ) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, context={"request": self.request}).data
        return paginator.get_paginated_response(data)


def _tasks_for(user: User, **filters: Any) -> QuerySet[Task]:
    """Tasks through the list selector, with what ``TaskSerializer`` reads loaded up front."""
    return task_list(user=user, **filters).prefetch_related(
        Prefetch("coordinating_units", queryset=Unit.objects.only("id"))
    )


def _task_response(user: User, task_id: int, code: int = status.HTTP_200_OK) -> Response:
    task = _tasks_for(user).get(pk=task_id)
    response = Response(s.TaskSerializer(task).data, status=code)
    response["ETag"] = f'"{task.version}"'
    return response


def _expected_version(request: Request, body_version: int | None) -> int | None:
    """The version a write was based on: ``version`` in the body or the If-Match header."""
    header = request.headers.get("If-Match", "").strip()
    header_version = None
    if header:
        value = header.removeprefix("W/").strip('"')
        if not value.isdigit():
            raise exceptions.ValidationError(
                {"version": [_('If-Match must be the task\'s ETag, e.g. "3".')]}
            )
        header_version = int(value)
    if body_version is not None and header_version is not None and body_version != header_version:
        raise exceptions.ValidationError(
            {"version": [_("The version in the body and in If-Match differ.")]}
        )
    return body_version if body_version is not None else header_version


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other address under ``/api/v1/`` (``/api/v1/plans/abc/``): the API's 404 in the API's
    error shape, not Django's HTML page."""
    return JsonResponse(
        {"error": {"code": "not_found", "message": _("Not found.")}},
        status=status.HTTP_404_NOT_FOUND,
    )


# --- me and agencies ---------------------------------------------------------------------------


class MeView(ApiView):
    @extend_schema(
        tags=["me"], operation_id="me_retrieve", responses={200: s.MeSerializer, **errors()}
    )
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(self.user, context={"request": request}).data)


class AgencyListView(ApiView):
    @extend_schema(
        tags=["agencies"],
        operation_id="agencies_list",
        parameters=[filters.AgencyFilterSerializer],
        responses={200: s.AgencySerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query = self.parse(filters.AgencyFilterSerializer, request.query_params)
        agencies = agencies_visible_to(self.user).order_by("code")
        if query.get("q"):
            agencies = agencies.filter(name__icontains=query["q"]) | agencies.filter(
                code__icontains=query["q"]
            )
        return self.paginated(agencies, s.AgencySerializer)


class AgencyDetailView(ApiView):
    @extend_schema(
        tags=["agencies"],
        operation_id="agencies_retrieve",
        responses={200: s.AgencySerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AgencySerializer(access_agency(actor=self.user, agency_id=pk)).data)


class AgencyUnitsView(ApiView):
    @extend_schema(
        tags=["agencies"],
        operation_id="agencies_units_list",
        responses={200: s.UnitSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        agency = access_agency(actor=self.user, agency_id=pk)
        return self.paginated(agency.units.order_by("name", "id"), s.UnitSerializer)


# --- plans -------------------------------------------------------------------------------------


class PlanListView(ApiView):
    @extend_schema(
        tags=["plans"],
        operation_id="plans_list",
        parameters=[filters.PlanFilterSerializer],
        responses={200: s.PlanSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query = self.parse(filters.PlanFilterSerializer, request.query_params)
        plans = plans_visible_to(self.user)
        if "agency" in query:
            plans = plans.filter(agency_id=query["agency"])
        if "year" in query:
            plans = plans.filter(year=query["year"])
        if query.get("status"):
            plans = plans.filter(status=query["status"])
        return self.paginated(plans.order_by("-year", "agency__code", "id"), s.PlanSerializer)

    @extend_schema(
        tags=["plans"],
        operation_id="plans_create",
        request=s.PlanCreateSerializer,
        responses={201: s.PlanSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = self.parse(s.PlanCreateSerializer, request.data)
        plan = services.plan_create(actor=self.user, **data)
        response = Response(s.PlanSerializer(plan).data, status=status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response


class PlanDetailView(ApiView):
    @extend_schema(
        tags=["plans"],
        operation_id="plans_retrieve",
        responses={200: s.PlanSerializer, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PlanSerializer(access_plan(actor=self.user, plan_id=pk)).data)

    @extend_schema(
        tags=["plans"],
        operation_id="plans_partial_update",
        request=s.PlanUpdateSerializer,
        responses={200: s.PlanSerializer, **errors(400, 403, 404)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        plan = access_plan(actor=self.user, plan_id=pk, action=PlanAction.MANAGE)
        data = self.parse(s.PlanUpdateSerializer, request.data)
        plan = services.plan_update(actor=self.user, plan=plan, **data)
        return Response(s.PlanSerializer(plan).data)


class PlanIssueView(ApiView):
    @extend_schema(
        tags=["plans"],
        operation_id="plans_issue",
        request=s.PlanIssueSerializer,
        responses={200: s.PlanSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """The leader approves and issues the plan (draft → issued)."""
        plan = access_plan(actor=self.user, plan_id=pk, action=PlanAction.ISSUE)
        data = self.parse(s.PlanIssueSerializer, request.data)
        plan = services.plan_issue(actor=self.user, plan=plan, **data)
        return Response(s.PlanSerializer(plan).data)


class PlanAreasView(ApiView):
    @extend_schema(
        tags=["plans"],
        operation_id="plans_areas_list",
        responses={200: s.AreaSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        plan = access_plan(actor=self.user, plan_id=pk)
        return self.paginated(plan.areas.order_by("number"), s.AreaSerializer)


# --- tasks -------------------------------------------------------------------------------------


class TaskListView(ApiView):
    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_list",
        parameters=[filters.TaskFilterSerializer],
        responses={200: s.TaskSerializer(many=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        query = self.parse(filters.TaskFilterSerializer, request.query_params)
        plan = None
        if "plan" in query:
            plan = plans_visible_to(self.user).filter(pk=query["plan"]).first()
            if plan is None:
                return self.paginated(Task.objects.none(), s.TaskSerializer)
        tasks = _tasks_for(
            self.user,
            plan=plan,
            agency_id=query.get("agency"),
            area_number=query.get("area"),
            lead_unit_id=query.get("lead_unit"),
            assignee_id=query.get("assignee"),
            status=query.get("status"),
            overdue=query["overdue"],
            due_within_days=query.get("due_within_days"),
            search=query.get("q"),
            top_level_only=query["top_level"],
        )
        if "parent" in query:
            tasks = tasks.filter(parent_id=query["parent"])
        return self.paginated(tasks, s.TaskSerializer)

    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_create",
        request=s.TaskCreateSerializer,
        responses={201: s.TaskSerializer, **errors(400, 403)},
        parameters=[ETAG_HEADER],
    )
    def post(self, request: Request) -> Response:
        data = self.parse(s.TaskCreateSerializer, request.data)
        task = services.task_create(actor=self.user, **data)
        response = _task_response(self.user, task.pk, status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response


class TaskDetailView(ApiView):
    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_retrieve",
        responses={200: s.TaskSerializer, **errors(404)},
        parameters=[ETAG_HEADER],
    )
    def get(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk)
        return _task_response(self.user, task.pk)

    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_partial_update",
        description=(
            "Change a task's fields. The version the change is based on is required, in the "
            "body (`version`) or in `If-Match`; if someone saved in between, the answer is 409 "
            "with `current_version` and nothing is changed."
        ),
        request=s.TaskUpdateSerializer,
        responses={200: s.TaskSerializer, **errors(400, 403, 404, 409)},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    def patch(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk, action=TaskAction.EDIT)
        fields = dict(self.parse(s.TaskUpdateSerializer, request.data, task=task))
        expected = _expected_version(request, fields.pop("version", None))
        if expected is None:
            raise exceptions.ValidationError(
                {"version": [_("Send the version you edited, in the body or in If-Match.")]}
            )
        services.task_update(actor=self.user, task=task, expected_version=expected, **fields)
        return _task_response(self.user, task.pk)


class TaskProgressView(ApiView):
    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_progress_list",
        responses={200: s.ProgressUpdateSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk)
        updates = task.progress_updates.order_by("-at", "-id")
        return self.paginated(updates, s.ProgressUpdateSerializer)

    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_progress_create",
        description=(
            "Record progress on a task without parts; the parents' progress is recomputed. "
            "`version` (or If-Match) is optional here: when given, a stale one answers 409."
        ),
        request=s.ProgressInputSerializer,
        responses={201: s.ProgressRecordedSerializer, **errors(400, 403, 404, 409)},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    def post(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk, action=TaskAction.PROGRESS)
        data = self.parse(s.ProgressInputSerializer, request.data)
        update = services.task_update_progress(
            actor=self.user,
            task=task,
            percent=data["percent"],
            note=data.get("note", ""),
            expected_version=_expected_version(request, data.get("version")),
        )
        update.task = _tasks_for(self.user).get(pk=task.pk)
        response = Response(
            s.ProgressRecordedSerializer(update).data, status=status.HTTP_201_CREATED
        )
        response["ETag"] = f'"{update.task.version}"'
        return response


class TaskEvidenceView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["evidence"],
        operation_id="tasks_evidence_list",
        responses={200: s.EvidenceSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk)
        return self.paginated(task.evidence.order_by("-uploaded_at", "-id"), s.EvidenceSerializer)

    @extend_schema(
        tags=["evidence"],
        operation_id="tasks_evidence_create",
        request={"multipart/form-data": s.EvidenceUploadSerializer},
        responses={201: s.EvidenceSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk, action=TaskAction.PROGRESS)
        data = self.parse(s.EvidenceUploadSerializer, request.data)
        uploaded = data["file"]
        evidence = services.evidence_add(
            actor=self.user,
            task=task,
            uploaded=uploaded,
            name=uploaded.name,
            size=uploaded.size,
            description=data.get("description", ""),
        )
        response = Response(s.EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
        response["Location"] = response.data["download_url"]
        return response


class _AnyAccept(BaseContentNegotiation):
    """A download answers with the file's own type whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class EvidenceDownloadView(ApiView):
    content_negotiation_class = _AnyAccept

    @extend_schema(
        tags=["evidence"],
        operation_id="evidence_download",
        # The file's own type (PDF, DOCX, image…), whatever the client accepts.
        responses={(200, "*/*"): OpenApiTypes.BINARY, **errors(404)},
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        evidence = access_evidence(actor=self.user, evidence_id=pk)
        return attachment_response(
            evidence.file, filename=evidence.original_name, content_type=evidence.content_type
        )


class TaskCommentsView(ApiView):
    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_comments_list",
        responses={200: s.CommentSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk)
        comments = task.comments.select_related("author").order_by("at", "id")
        return self.paginated(comments, s.CommentSerializer)

    @extend_schema(
        tags=["tasks"],
        operation_id="tasks_comments_create",
        request=s.CommentInputSerializer,
        responses={201: s.CommentSerializer, **errors(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = access_task(actor=self.user, task_id=pk, action=TaskAction.COMMENT)
        data = self.parse(s.CommentInputSerializer, request.data)
        comment = services.comment_add(actor=self.user, task=task, body=data["body"])
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
