"""Shapes of the REST API.

Output serializers render objects that the views have already loaded through selectors and access
helpers. Input serializers only parse and resolve: ids become objects, looked up among what the
acting user may see (``context["user"]``), so an id of another agency reads like an unknown id
(400 on the field, never 500 and never a hint that it exists). Writes are made by the services.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet, TextChoices
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cchc.core.access import agencies_visible_to, get_scope
from cchc.core.models import Agency, AgencyKind, ApiToken, Membership, Role, Unit, User
from cchc.plans.models import (
    Area,
    Comment,
    Evidence,
    Plan,
    PlanStatus,
    Priority,
    ProgressUpdate,
    Recurrence,
    Task,
    TaskStatus,
)
from cchc.plans.selectors import plans_visible_to

# --- enums ---------------------------------------------------------------------------------------


# The largest id a BigAutoField holds (signed 64 bits on SQLite and PostgreSQL). Ids, numbers and
# versions sent to the API are bounded by it, so that a bigger one is a 400, not an overflow in
# the database driver (a 500).
ID_MAX = 2**63 - 1


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named schema component per choices class
    (``TaskStatusEnum``, ``PlanStatusEnum``…), so equal field names never collide."""

    def __init__(self, enum: type[TextChoices], **kwargs: Any) -> None:
        self.enum = enum
        super().__init__(choices=enum.choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        enum = self.target.enum
        name = f"{enum.__name__}Enum"
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": [str(value) for value in enum.values],
                "description": "\n".join(f"* `{value}` - {label}" for value, label in enum.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- errors ----------------------------------------------------------------------------------


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("invalid, not_found, forbidden, …"))
    message = serializers.CharField()
    current_version = serializers.IntegerField(
        required=False, help_text=gettext_lazy("On 409: the task's version now.")
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" is a Serializer attribute, so it cannot be declared on the class.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=gettext_lazy("On 400: messages per input field."),
        )
        return fields


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


# --- input helpers -----------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so that a typo or a read-only field is not silently
    ignored (e.g. ``{"progress": 50}`` in a PATCH: progress has its own endpoint)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data.keys()) - set(self.fields)) if hasattr(data, "keys") else []
        errors = {key: [_("This field is unknown or cannot be changed here.")] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **errors}) from exc
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class _Resolver:
    """Turns ids into objects of a scoped queryset, collecting one error per field."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def one(self, field: str, queryset: QuerySet, pk: int | None, message: str) -> Model | None:
        if pk is None:
            return None
        found = queryset.filter(pk=pk).first()
        if found is None:
            self.errors[field] = [message]
        return found

    def many(self, field: str, queryset: QuerySet, ids: Iterable[int], message: str) -> list:
        wanted = list(dict.fromkeys(ids))
        found = {obj.pk: obj for obj in queryset.filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            self.errors[field] = [message % {"ids": ", ".join(map(str, missing))}]
        return [found[pk] for pk in wanted if pk in found]

    def raise_if_any(self) -> None:
        if self.errors:
            raise serializers.ValidationError(self.errors)


def _units_of(agency_id: int) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=agency_id)


def _people_of(agency_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__agency_id=agency_id, memberships__is_active=True
    ).distinct()


def _resolve_task_people_and_units(
    resolver: _Resolver, attrs: dict[str, Any], agency_id: int
) -> None:
    if "lead_unit" in attrs:
        attrs["lead_unit"] = resolver.one(
            "lead_unit",
            _units_of(agency_id),
            attrs["lead_unit"],
            _("No unit of the task's agency has this id."),
        )
    if "coordinating_units" in attrs:
        attrs["coordinating_units"] = resolver.many(
            "coordinating_units",
            _units_of(agency_id),
            attrs["coordinating_units"],
            _("No unit of the task's agency has the id(s) %(ids)s."),
        )
    if "assignees" in attrs:
        attrs["assignees"] = resolver.many(
            "assignees",
            _people_of(agency_id),
            attrs["assignees"],
            _("No person of the task's agency has the id(s) %(ids)s."),
        )


# --- people and agencies -----------------------------------------------------------------------


class UserBriefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]
        read_only_fields = fields


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    role = EnumField(Role, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "agency", "unit", "role", "is_active"]
        read_only_fields = fields


class TokenBriefSerializer(serializers.Serializer):
    """What narrows the request's token (``cchc.core.security.token_scope``); null fields: the
    token acts with all of its owner's agencies or roles."""

    prefix = serializers.CharField(read_only=True)
    agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    role = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_role(self, token: Any) -> str | None:
        return token.role or None


class MeSerializer(serializers.ModelSerializer):
    """The person, with the memberships the request acts through: with a narrowed API token, only
    those of its agency and role (``token`` says how it is narrowed; null for a browser
    session or a token with the owner's full rights)."""

    display_name = serializers.CharField(read_only=True)
    is_admin = serializers.SerializerMethodField()
    memberships = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "display_name",
            "email",
            "job_title",
            "is_admin",
            "memberships",
            "token",
        ]
        read_only_fields = fields

    def _token(self) -> ApiToken | None:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return auth if isinstance(auth, ApiToken) else None

    def get_is_admin(self, user: User) -> bool:
        return get_scope(user).is_admin

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        memberships = (
            Membership.objects.filter(user=user, is_active=True)
            .select_related("agency")
            .order_by("agency__code", "role")
        )
        token = self._token()
        if token is not None:
            if token.agency_id is not None:
                memberships = memberships.filter(agency_id=token.agency_id)
            if token.role:
                memberships = memberships.filter(role=token.role)
        return MembershipSerializer(memberships, many=True).data

    @extend_schema_field(TokenBriefSerializer(allow_null=True))
    def get_token(self, user: User) -> dict[str, Any] | None:
        token = self._token()
        if token is None or (token.agency_id is None and not token.role):
            return None
        return TokenBriefSerializer(token).data


class AgencySerializer(serializers.ModelSerializer):
    kind = EnumField(AgencyKind, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Agency
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
            "successor",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, agency: Agency) -> str:
        return reverse("api:agency-detail", args=[agency.pk])


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "agency", "code", "name", "is_active"]
        read_only_fields = fields


# --- plans -------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    status = EnumField(PlanStatus, read_only=True)
    reference = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "agency",
            "year",
            "title",
            "number",
            "symbol",
            "reference",
            "issued_on",
            "start_date",
            "end_date",
            "status",
            "signer",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, plan: Plan) -> str:
        return reverse("api:plan-detail", args=[plan.pk])


class AreaSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text=gettext_lazy("e.g. II.3"))

    class Meta:
        model = Area
        fields = ["id", "plan", "number", "code", "title"]
        read_only_fields = fields


class PlanCreateSerializer(StrictSerializer):
    agency = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    symbol = serializers.CharField(required=False, allow_blank=True, max_length=64)
    issued_on = serializers.DateField(required=False, allow_null=True)
    start_date = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Default: 1 January.")
    )
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("Default: 31 December.")
    )
    signer = serializers.CharField(required=False, allow_blank=True, max_length=255)
    with_standard_areas = serializers.BooleanField(
        required=False,
        default=True,
        help_text=gettext_lazy("Create the seven standard reform areas (II.1 … II.7)."),
    )

    def validate_agency(self, value: int) -> Agency:
        agency = agencies_visible_to(self.context["user"]).filter(pk=value).first()
        if agency is None:
            raise serializers.ValidationError(_("No agency with this id."))
        return agency


class PlanUpdateSerializer(StrictSerializer):
    title = serializers.CharField(required=False, max_length=500)
    number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    symbol = serializers.CharField(required=False, allow_blank=True, max_length=64)
    issued_on = serializers.DateField(required=False, allow_null=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    signer = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PlanIssueSerializer(StrictSerializer):
    number = serializers.CharField(required=False, allow_blank=True, max_length=32)
    issued_on = serializers.DateField(required=False, allow_null=True)


# --- tasks -------------------------------------------------------------------------------------


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "number"]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    # Expects ``evidence_count`` annotated and ``assignees`` / ``coordinating_units``
    # prefetched (``views._tasks_for``); otherwise each row costs queries.

    area = AreaBriefSerializer(read_only=True)
    recurrence = EnumField(Recurrence, read_only=True)
    priority = EnumField(Priority, read_only=True)
    status = EnumField(TaskStatus, read_only=True)
    coordinating_units = serializers.SerializerMethodField()
    assignees = serializers.SerializerMethodField()
    progress = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        coerce_to_string=False,
        read_only=True,
        help_text=gettext_lazy("Percent done; a parent's is the weighted mean of its parts."),
    )
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True
    )
    overdue = serializers.SerializerMethodField()
    evidence_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "code",
            "title",
            "description",
            "plan",
            "area",
            "agency",
            "lead_unit",
            "coordinating_units",
            "assignees",
            "start_date",
            "due_date",
            "recurrence",
            "period_label",
            "product",
            "priority",
            "status",
            "progress",
            "weight",
            "version",
            "parent",
            "overdue",
            "evidence_count",
            "completed_at",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def get_coordinating_units(self, task: Task) -> list[int]:
        return sorted(u.pk for u in task.coordinating_units.all())

    def get_assignees(self, task: Task) -> list[int]:
        return sorted(u.pk for u in task.assignees.all())

    def get_overdue(self, task: Task) -> bool:
        return task.is_overdue()

    def get_evidence_count(self, task: Task) -> int:
        count = getattr(task, "evidence_count", None)
        return task.evidence.count() if count is None else count

    def get_url(self, task: Task) -> str:
        return reverse("api:task-detail", args=[task.pk])


_TASK_TEXT = {"required": False, "allow_blank": True}


class TaskCreateSerializer(StrictSerializer):
    plan = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    area = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy("Area id; or give area_number."),
    )
    area_number = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy("Number of the area in the plan."),
    )
    title = serializers.CharField(max_length=5000)
    code = serializers.CharField(
        max_length=64, **_TASK_TEXT, help_text=gettext_lazy("Default: the next free code.")
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX
    )
    description = serializers.CharField(**_TASK_TEXT)
    lead_unit = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX
    )
    coordinating_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False
    )
    assignees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    recurrence = EnumField(Recurrence, required=False)
    product = serializers.CharField(**_TASK_TEXT)
    priority = EnumField(Priority, required=False)
    weight = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        coerce_to_string=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        resolver = _Resolver()
        plan = resolver.one(
            "plan",
            plans_visible_to(self.context["user"]),
            attrs.pop("plan"),
            _("No plan with this id."),
        )
        resolver.raise_if_any()
        assert isinstance(plan, Plan)
        attrs["plan"] = plan
        area_id, area_number = attrs.pop("area", None), attrs.pop("area_number", None)
        if area_id is None and area_number is None:
            resolver.errors["area"] = [_("Give the area (id) or the area_number.")]
        elif area_id is not None:
            attrs["area"] = resolver.one(
                "area", plan.areas.all(), area_id, _("The plan has no area with this id.")
            )
        else:
            attrs["area"] = plan.areas.filter(number=area_number).first()
            if attrs["area"] is None:
                resolver.errors["area_number"] = [_("The plan has no area with this number.")]
        if attrs.get("parent") is not None:
            attrs["parent"] = resolver.one(
                "parent", plan.tasks.all(), attrs["parent"], _("The plan has no task with this id.")
            )
        else:
            attrs.pop("parent", None)
        _resolve_task_people_and_units(resolver, attrs, plan.agency_id)
        resolver.raise_if_any()
        return attrs


class TaskUpdateSerializer(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy(
            "The version the change was based on; or send it in the If-Match header."
        ),
    )
    title = serializers.CharField(required=False, max_length=5000)
    code = serializers.CharField(required=False, max_length=64)
    description = serializers.CharField(**_TASK_TEXT)
    lead_unit = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX
    )
    coordinating_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False
    )
    assignees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    product = serializers.CharField(**_TASK_TEXT)
    priority = EnumField(Priority, required=False)
    status = EnumField(TaskStatus, required=False)
    weight = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        required=False,
        coerce_to_string=False,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        resolver = _Resolver()
        _resolve_task_people_and_units(resolver, attrs, self.context["task"].agency_id)
        resolver.raise_if_any()
        return attrs


class ProgressInputSerializer(StrictSerializer):
    percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        coerce_to_string=False,
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=gettext_lazy("Optional optimistic lock; or send it in the If-Match header."),
    )


class ProgressUpdateSerializer(serializers.ModelSerializer):
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True
    )
    previous_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = ProgressUpdate
        fields = ["id", "task", "author", "at", "percent", "previous_percent", "note"]
        read_only_fields = fields


class ProgressRecordedSerializer(ProgressUpdateSerializer):
    """The new progress update with the task as it is after the update (new version)."""

    task = TaskSerializer(read_only=True)


# --- evidence and comments -------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "task",
            "name",
            "content_type",
            "size",
            "sha256",
            "description",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, evidence: Evidence) -> str:
        return reverse("api:evidence-download", args=[evidence.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("PDF, DOCX, XLSX or an image; the type is checked by content.")
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CommentSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "task", "author", "at", "body"]
        read_only_fields = fields


class CommentInputSerializer(StrictSerializer):
    body = serializers.CharField(max_length=5000)
