from django.db import migrations

SOURCE = (
    "Nghị định 20/2008/NĐ-CP (sửa đổi bởi Nghị định 48/2013/NĐ-CP); "
    "thời hạn mặc định theo quy trình vận hành"
)
DEFAULTS = (
    ("reject", 2),
    ("forward", 5),
    ("first_request", 5),
    ("answer", 15),
    ("publish", 2),
)


def add_defaults(apps, schema_editor):
    Rule = apps.get_model("feedback", "FeedbackDeadlineRule")
    for step, days in DEFAULTS:
        if not Rule.objects.filter(step=step).exists():
            Rule.objects.create(step=step, working_days=days, source=SOURCE)


def remove_defaults(apps, schema_editor):
    Rule = apps.get_model("feedback", "FeedbackDeadlineRule")
    Rule.objects.filter(source=SOURCE, valid_from__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
