"""Buddhist Era dates for templates: {{ value|thai_date }} → 25 พ.ย. 2569.

In English (chosen with the language switch) the months are English and the year stays in the
Buddhist Era, marked BE: 25 Nov 2569 BE. One calendar for the whole system: round years, the
year in every address and every date box take the Buddhist Era in both languages, so a page
never shows 2569 beside 2026 for the same year.

Built in to every template (settings.TEMPLATES "builtins"), so no {% load %} is needed.
"""

import datetime

from django import template
from django.utils import timezone, translation

register = template.Library()

MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_SHORT_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
BUDDHIST_ERA_OFFSET = 543


def _english() -> bool:
    return translation.get_language() == "en"


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
    if _english():
        months = MONTHS_LONG_EN if style == "long" else MONTHS_SHORT_EN
        return f"{value.day} {months[value.month - 1]} {buddhist_year(value)} BE"
    months = MONTHS_LONG if style == "long" else MONTHS_SHORT
    return f"{value.day} {months[value.month - 1]} {buddhist_year(value)}"


@register.filter
def thai_datetime(value) -> str:
    """`25 พ.ย. 2569 14:05 น.` in the local time zone."""
    if not value:
        return ""
    value = _local(value)
    if _english():
        return f"{thai_date(value)} {value:%H:%M}"
    return f"{thai_date(value)} {value:%H:%M} น."


@register.simple_tag
def today_thai() -> str:
    return thai_date(timezone.localdate(), "long")
