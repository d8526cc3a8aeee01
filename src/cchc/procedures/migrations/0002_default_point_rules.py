"""Default service-quality points (DESIGN.md §4.3, after Quyết định 766/QĐ-TTg and the national
portal's method). The split of the 12 online-service points between "offered" and "used" is the
portal's published method; a province edits these rows when its method differs."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

SOURCE = "Quyết định 766/QĐ-TTg; phương pháp của Cổng Dịch vụ công quốc gia"
RULES = [
    # item, rate, max points, threshold (None: proportional to the rate)
    ("publicity", "", Decimal("18"), None),
    ("timeliness", "on_time_rate", Decimal("20"), None),
    ("online_service", "procedures_online_rate", Decimal("6"), Decimal("80")),
    ("online_service", "online_rate", Decimal("6"), Decimal("50")),
    ("online_payment", "online_payment_rate", Decimal("10"), Decimal("80")),
    ("satisfaction", "handling_satisfaction_rate", Decimal("18"), Decimal("90")),
    ("digitization", "digitization_rate", Decimal("22"), Decimal("80")),
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("procedures", "ServicePointRule")
    if Rule.objects.exists():
        return
    for item, rate, max_points, threshold in RULES:
        Rule.objects.create(item=item, rate=rate, max_points=max_points, threshold=threshold,
                            source=SOURCE, valid_from=dt.date(2022, 1, 1))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
