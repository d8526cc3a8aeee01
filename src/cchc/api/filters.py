"""Query parameters of the list endpoints, validated like request bodies (bad values → 400)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cchc.api.serializers import ID_MAX, EnumField
from cchc.plans.models import PlanStatus, TaskStatus


class AgencyFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Text in the agency's code or name.")
    )


class PlanFilterSerializer(serializers.Serializer):
    agency = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Agency id.")
    )
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = EnumField(PlanStatus, required=False)


class TaskFilterSerializer(serializers.Serializer):
    plan = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Plan id.")
    )
    agency = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Agency id.")
    )
    area = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("Number of the reform area (II.1 … II.7)."),
    )
    lead_unit = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Unit id.")
    )
    assignee = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("User id.")
    )
    parent = serializers.IntegerField(
        required=False, min_value=1, max_value=ID_MAX, help_text=_("Only the parts of this task.")
    )
    status = EnumField(TaskStatus, required=False)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text=_("Only open tasks past their due date.")
    )
    due_within_days = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=3660,
        help_text=_("Only open tasks due between today and this many days from now."),
    )
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("Text in the task's code or title.")
    )
    top_level = serializers.BooleanField(
        required=False, default=False, help_text=_("Only tasks without a parent.")
    )
