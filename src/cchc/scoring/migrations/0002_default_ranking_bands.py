from decimal import Decimal

from django.db import migrations

SOURCE = "DESIGN.md §4.6: xếp loại mặc định (sửa theo quyết định của tỉnh)"
BANDS = (("A", "Tốt", Decimal("90")), ("B", "Khá", Decimal("80")), ("C", "Trung bình", Decimal("0")))


def add_bands(apps, schema_editor):
    Band = apps.get_model("scoring", "RankingBand")
    if not Band.objects.exists():
        for code, name, minimum in BANDS:
            Band.objects.create(code=code, name=name, min_percent=minimum, source=SOURCE)


def remove_bands(apps, schema_editor):
    apps.get_model("scoring", "RankingBand").objects.filter(source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(add_bands, remove_bands)]
