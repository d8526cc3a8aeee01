from django.contrib import admin

from cchc.indicators.models import Indicator, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "source")
    search_fields = ("code", "name")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("plan", "indicator", "ranking", "value", "unit", "imported")
    list_filter = ("kind", "imported")
