from django.contrib import admin

from cchc.reports.models import ReportPeriodRule


@admin.register(ReportPeriodRule)
class ReportPeriodRuleAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "start_day",
        "start_month",
        "start_year_offset",
        "end_day",
        "end_month",
        "due_day",
        "valid_from",
        "valid_to",
        "source",
    )
    list_filter = ("kind",)
