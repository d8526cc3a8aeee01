"""The period rules of Công văn 581/BNV-CCHC (DESIGN.md §4.7): data windows from 15/12 of the
previous year and due dates on the 20th of the period's last month. Only adds missing kinds, so
a province's own edits survive."""

from django.db import migrations

SOURCE = "Công văn 581/BNV-CCHC"
# kind, (start month, start day, year offset), (end month, end day), due day
RULES = [
    ("q1", (12, 15, -1), (3, 14), 20),
    ("h1", (12, 15, -1), (6, 14), 20),
    ("q3", (6, 15, 0), (9, 14), 20),
    ("year", (12, 15, -1), (12, 14), 20),
]


def add_rules(apps, schema_editor):
    Rule = apps.get_model("reports", "ReportPeriodRule")
    for kind, (start_month, start_day, offset), (end_month, end_day), due_day in RULES:
        if Rule.objects.filter(kind=kind).exists():
            continue
        Rule.objects.create(
            kind=kind,
            start_month=start_month,
            start_day=start_day,
            start_year_offset=offset,
            end_month=end_month,
            end_day=end_day,
            due_day=due_day,
            source=SOURCE,
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
