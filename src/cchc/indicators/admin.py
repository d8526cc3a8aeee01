from django.contrib import admin

from cchc.indicators.models import Indicator, IndicatorAlert, ReportedValue, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "source")
    search_fields = ("code", "name")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("plan", "indicator", "ranking", "value", "unit", "imported")
    list_filter = ("kind", "imported")


@admin.register(ReportedValue)
class ReportedValueAdmin(admin.ModelAdmin):
    list_display = ("target", "period_start", "period_end", "value", "reported_by")


@admin.register(IndicatorAlert)
class IndicatorAlertAdmin(admin.ModelAdmin):
    list_display = ("target", "status", "week")
