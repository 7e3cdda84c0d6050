"""Factories for rounds and frameworks. Build a small framework with `framework_with()`."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from assessments.models import Category, Dimension, Indicator, IndicatorOption, Round
from organizations.models import Organization


class RoundFactory(DjangoModelFactory):
    class Meta:
        model = Round
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2600 + n)
    fiscal_year = factory.LazyAttribute(lambda r: r.year - 1)
    self_assessment_opens = factory.LazyAttribute(lambda r: datetime.date(r.year - 543, 1, 15))
    self_assessment_closes = factory.LazyAttribute(lambda r: datetime.date(r.year - 543, 3, 31))

    @factory.post_generation
    def bands(obj, create, extracted, **kwargs):
        if create:
            obj.add_default_bands()


class DimensionFactory(DjangoModelFactory):
    class Meta:
        model = Dimension

    round = factory.SubFactory(RoundFactory)
    number = 1
    name = factory.LazyAttribute(lambda d: f"ด้านที่ {d.number}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    dimension = factory.SubFactory(DimensionFactory)
    number = 1
    name = factory.LazyAttribute(lambda c: f"หมวด {c.number}")


class IndicatorFactory(DjangoModelFactory):
    """A levels indicator worth 0–5 unless `options` says otherwise.

    `options` is a list of points, or of (points, threshold) pairs for a figure.
    """

    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    round = factory.LazyAttribute(lambda i: i.category.dimension.round)
    code = factory.Sequence(lambda n: f"T{n}")
    title = factory.LazyAttribute(lambda i: f"ตัวชี้วัด {i.code}")
    kind = Indicator.Kind.LEVELS
    applies_to = factory.LazyFunction(lambda: list(Organization.Type.values))

    @factory.post_generation
    def options(obj, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [0, 1, 2, 3, 4, 5] if obj.kind == Indicator.Kind.LEVELS else [1, 1, 1]
        for position, item in enumerate(extracted, start=1):
            points, threshold = item if isinstance(item, tuple) else (item, None)
            IndicatorOption.objects.create(
                indicator=obj,
                position=position,
                label=f"ข้อ {position}",
                points=Decimal(points),
                threshold=None if threshold is None else Decimal(threshold),
            )


def framework_with(
    round: Round | None = None, *, dimensions: int = 1, open_last: bool = False
) -> tuple[Round, list[Category]]:
    """A round with `dimensions` dimensions of one category each; `open_last` opens the last
    category to provincial indicators."""
    round = round or RoundFactory()
    categories = []
    for number in range(1, dimensions + 1):
        dimension = DimensionFactory(round=round, number=number)
        categories.append(CategoryFactory(dimension=dimension, open_to_provinces=open_last and number == dimensions))
    return round, categories
