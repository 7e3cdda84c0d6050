"""A category is numbered as the framework numbers it, "หมวด <dimension>.<category>", on every
page: the framework, the self-assessment and the review (one said "หมวด 1", another "หมวด 1.1")."""

import re

from django.urls import reverse

from accounts.models import Role
from tests.assessments.factories import self_assessment
from tests.factories import user_with_role


def headings(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", text).strip() for text in re.findall(r"หมวด [^<]*", html)]


def test_every_page_numbers_the_category_dimension_dot_category(client, db):
    sa = self_assessment()
    sa.indicator(code="1.1.1")
    category = sa.category
    category.name = "การวางแผน"
    category.save(update_fields=["name"])
    expected = f"หมวด {category.dimension.number}.{category.number} การวางแผน"
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    number = category.dimension.number
    for url in (
        reverse("assessments:round_detail", args=[sa.round.year]),
        reverse("assessments:assessment_dimension", args=[sa.assessment.pk, number]),
        reverse("reviews:review_dimension", args=[sa.assessment.pk, number]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        found = headings(response.content.decode())
        assert expected in found, (url, found)
        assert f"หมวด {category.number} การวางแผน" not in found, url
    assert str(category) == expected
