"""The standard indicators the plans set targets for, with the texts they come from.

Editable afterwards in the admin; this migration only adds rows that are missing.
"""

from django.db import migrations

STANDARD = [
    ("satisfaction", "Mức độ hài lòng của người dân, doanh nghiệp", "%",
     "Quyết định 1001/QĐ-BNV (SIPAS); Quyết định 766/QĐ-TTg"),
    ("on_time", "Tỷ lệ hồ sơ giải quyết đúng hạn", "%", "Quyết định 766/QĐ-TTg"),
    ("online_usage", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "%", "Quyết định 766/QĐ-TTg"),
    ("digitization", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC", "%",
     "Quyết định 766/QĐ-TTg; Nghị định 45/2020/NĐ-CP"),
    ("time_reduction", "Tỷ lệ TTHC được cắt giảm thời gian giải quyết", "%",
     "Quyết định 766/QĐ-TTg"),
    ("online_payment", "Tỷ lệ hồ sơ thanh toán trực tuyến", "%", "Quyết định 766/QĐ-TTg"),
    ("feedback_on_time", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", "%",
     "Nghị định 20/2008/NĐ-CP"),
]


def add_standard(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for code, name, unit, source in STANDARD:
        Indicator.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(add_standard, migrations.RunPython.noop)]
