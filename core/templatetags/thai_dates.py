"""Buddhist Era dates for templates: {{ value|thai_date }} → 25 พ.ย. 2569.

Built in to every template (settings.TEMPLATES "builtins"), so no {% load %} is needed.
"""

import datetime

from django import template
from django.utils import timezone

register = template.Library()

MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
BUDDHIST_ERA_OFFSET = 543


def buddhist_year(value: datetime.date) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def thai_date(value, style: str = "short") -> str:
    """`25 พ.ย. 2569`; with "long": `25 พฤศจิกายน 2569`."""
    if not value:
        return ""
    value = _local(value)
    months = MONTHS_LONG if style == "long" else MONTHS_SHORT
    return f"{value.day} {months[value.month - 1]} {buddhist_year(value)}"


@register.filter
def thai_datetime(value) -> str:
    """`25 พ.ย. 2569 14:05 น.` in the local time zone."""
    if not value:
        return ""
    value = _local(value)
    return f"{thai_date(value)} {value:%H:%M} น."


@register.simple_tag
def today_thai() -> str:
    return thai_date(timezone.localdate(), "long")
