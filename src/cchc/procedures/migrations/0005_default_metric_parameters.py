"""Default figures from legal texts used by the metrics (DESIGN.md §4.3)."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

PARAMETERS = [
    # time_reduction_coverage: a procedure counts when its reduced limit is at most this share
    # of the legal one (a cut of at least 35 %).
    ("time_reduction_max_share", Decimal("0.65"),
     "Quyết định 766/QĐ-TTg; phương pháp của Cổng Dịch vụ công quốc gia"),
]


def add_parameters(apps, schema_editor):
    Parameter = apps.get_model("procedures", "MetricParameter")
    for key, value, source in PARAMETERS:
        if not Parameter.objects.filter(key=key).exists():
            Parameter.objects.create(key=key, value=value, source=source,
                                     valid_from=dt.date(2022, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_metric_parameter")]
    operations = [migrations.RunPython(add_parameters, migrations.RunPython.noop)]
