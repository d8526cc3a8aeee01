"""Link the standard indicators to the rates measured from the dossiers (DESIGN.md §4.3) and
give them the at-risk margin the status badges use (5 percentage points below the target).

Only fills empty values, so a province's own edits survive.
"""

from django.db import migrations

MARGIN_SOURCE = (
    "Quy ước của hệ thống: dưới chỉ tiêu không quá 5 điểm phần trăm là “có nguy cơ”"
)
RATES = {
    "on_time": "on_time_rate",
    "online_usage": "online_rate",
    "digitization": "digitization_rate",
    "online_payment": "online_payment_rate",
    "time_reduction": "time_reduction_coverage",
    # Until the surveys app measures it, satisfaction is the dossier-handling proxy of §4.3.
    "satisfaction": "handling_satisfaction_rate",
    "feedback_on_time": "feedback_on_time_rate",
}


def link_rates(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, rate in RATES.items():
        Indicator.objects.filter(code=code, measured_rate="").update(measured_rate=rate)
    Indicator.objects.filter(margin_source="").update(margin_source=MARGIN_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_status_rules_reported_values")]
    operations = [migrations.RunPython(link_rates, migrations.RunPython.noop)]
