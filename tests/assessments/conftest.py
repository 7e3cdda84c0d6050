"""Fixtures for the framework pages: a small round and a user for each role that meets it."""

import datetime

import pytest

from accounts.models import Role
from assessments.models import Indicator
from organizations.models import Organization
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import OrganizationFactory, district, province, user_with_role


@pytest.fixture
def official(db):
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


@pytest.fixture
def krabi_admin(db):
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


@pytest.fixture
def chonburi_admin(db):
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))


@pytest.fixture
def krabi_assessor(db):
    return user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))


@pytest.fixture
def framework(db):
    """Round 2569 in set-up: dimension 1 (national indicators 1.1 for every type and 1.2 for
    อบจ. only) and dimension 2, open to provinces (2.1 กระบี่'s, 2.2 ชลบุรี's); three
    organizations: an อบต. and an อบจ. in กระบี่, an อบต. in ชลบุรี."""
    round, (national, provincial) = framework_with(
        RoundFactory(
            year=2569,
            self_assessment_opens=datetime.date(2026, 2, 1),
            self_assessment_closes=datetime.date(2026, 3, 31),
        ),
        dimensions=2,
        open_last=True,
    )
    IndicatorFactory(category=national, code="1.1", title="การจัดทำแผนพัฒนาท้องถิ่น")
    IndicatorFactory(
        category=national,
        code="1.2",
        position=2,
        kind=Indicator.Kind.CHECKLIST,
        options=[2, 2, 1],
        applies_to=[Organization.Type.PAO],
    )
    IndicatorFactory(category=provincial, code="2.1", title="การท่องเที่ยวกระบี่", province=province("81"))
    IndicatorFactory(category=provincial, code="2.2", title="การท่องเที่ยวชลบุรี", province=province("20"))
    OrganizationFactory(type=Organization.Type.SAO)
    OrganizationFactory(type=Organization.Type.PAO)
    OrganizationFactory(type=Organization.Type.SAO, district=district("2001"))
    return round


@pytest.fixture
def opened(framework, official):
    framework.open(by=official)
    return framework
