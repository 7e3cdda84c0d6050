"""Provinces and districts outside Bangkok, from the `geothai` package (DOPA codes).

Loaded by a data migration and re-runnable (`python manage.py load_geography`) when a
newer geothai release brings changes: rows are matched by DOPA code and updated in place.
"""

import geothai

BANGKOK_CODE = "10"


def load_geography(province_model, district_model) -> tuple[int, int]:
    """Upsert the 76 provinces and 878 districts outside Bangkok; returns their counts.

    Takes the model classes so a migration can pass its historical models.
    """
    provinces = [p for p in geothai.provinces() if p.code != BANGKOK_CODE]
    existing = {p.code: p for p in province_model.objects.all()}
    for p in provinces:
        row = existing.get(p.code) or province_model(code=p.code)
        row.name_th, row.name_en = p.name_th, p.name_en
        row.save()
        existing[p.code] = row
    district_count = 0
    known = {d.code: d for d in district_model.objects.all()}
    new = []
    for p in provinces:
        for d in geothai.districts(p.code):
            row = known.get(d.code)
            if row is None:
                new.append(district_model(code=d.code, province=existing[p.code], name_th=d.name_th, name_en=d.name_en))
            elif (row.name_th, row.name_en, row.province_id) != (d.name_th, d.name_en, existing[p.code].pk):
                row.name_th, row.name_en, row.province = d.name_th, d.name_en, existing[p.code]
                row.save()
            district_count += 1
    district_model.objects.bulk_create(new)
    return len(provinces), district_count
