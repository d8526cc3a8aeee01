"""Admin of the reform index: frameworks with their criteria, criteria with their threshold bands,
ranking bands and (read mostly) assessments. A framework's page lists the problems its checks find
(``frameworks.framework_check``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from cchc.scoring.frameworks import framework_check
from cchc.scoring.models import (
    Assessment,
    AssessmentItem,
    Criterion,
    Framework,
    RankingBand,
    ThresholdBand,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("position", "code", "title", "parent", "max_points", "method", "source", "cap")
    ordering = ("position", "id")
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = formset.form.base_fields.get("parent")
        if parent is not None:
            parent.queryset = (
                Criterion.objects.filter(framework=obj) if obj else Criterion.objects.none()
            )
        return formset


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "level", "version", "status", "is_template")
    list_filter = ("year", "level", "status", "is_template")
    search_fields = ("title", "decision")
    readonly_fields = ("problems",)
    inlines = [CriterionInline]

    @admin.display(description=_("problems found by the checks"))
    def problems(self, obj: Framework) -> str:
        if obj is None or obj.pk is None:
            return "—"
        found = framework_check(obj)
        if not found:
            return str(_("None"))
        return format_html_join("", "<div>{}</div>", ((p,) for p in found))


class ThresholdBandInline(admin.TabularInline):
    model = ThresholdBand
    extra = 0
    ordering = ("-min_rate",)


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "framework", "max_points", "method", "source", "cap")
    list_filter = ("framework", "method")
    search_fields = ("code", "title")
    inlines = [ThresholdBandInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            object_id = request.resolver_match.kwargs.get("object_id") if request else None
            criterion = Criterion.objects.filter(pk=object_id).first() if object_id else None
            if criterion is not None:
                kwargs["queryset"] = Criterion.objects.filter(
                    framework_id=criterion.framework_id
                ).exclude(pk=criterion.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RankingBand)
class RankingBandAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "min_percent", "valid_from", "valid_to", "source")
    ordering = ("-min_percent",)


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    extra = 0
    fields = (
        "criterion",
        "unit",
        "measured_points",
        "self_score",
        "appraisal_score",
        "final_score",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("agency", "framework", "status", "final_percent", "band")
    list_filter = ("status", "framework__year")
    search_fields = ("agency__name", "agency__code")
    inlines = [AssessmentItemInline]
