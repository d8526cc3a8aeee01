from django.contrib import admin

from cchc.procedures.models import (
    ApologyLetter,
    Dossier,
    DossierEvent,
    MetricParameter,
    Procedure,
    ServicePointRule,
)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "agency", "field", "time_limit", "time_unit", "online_level")
    list_filter = ("agency", "online_level", "time_unit", "fee_bearing")
    search_fields = ("code", "name", "field")
    list_select_related = ("agency",)


class DossierEventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    readonly_fields = ("status", "at", "recorded_at")
    can_delete = False


class ApologyLetterInline(admin.TabularInline):
    model = ApologyLetter
    extra = 0


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Dossiers come from the ingest; the admin shows them and their history."""

    list_display = ("code", "agency", "procedure", "status", "received_at", "due_at")
    list_filter = ("agency", "status", "channel")
    search_fields = ("code",)
    list_select_related = ("agency", "procedure")
    raw_id_fields = ("procedure", "unit")
    date_hierarchy = "received_at"
    readonly_fields = (
        "finished_effective_at",
        "received_day",
        "finished_day",
        "on_time_when_finished",
        "row_hash",
        "updated_at",
    )
    inlines = [DossierEventInline, ApologyLetterInline]
    show_full_result_count = False


@admin.register(ServicePointRule)
class ServicePointRuleAdmin(admin.ModelAdmin):
    list_display = ("item", "rate", "max_points", "threshold", "valid_from", "valid_to", "source")


@admin.register(MetricParameter)
class MetricParameterAdmin(admin.ModelAdmin):
    list_display = ("key", "value", "valid_from", "valid_to", "source")
