import pytest

from accounts.models import Role
from organizations.models import Organization
from tests.factories import OrganizationFactory, district, province, user_with_role


@pytest.fixture
def krabi_org(db) -> Organization:
    return OrganizationFactory(district=district("8101"), name="กระบี่น้อย", type=Organization.Type.SAO)


@pytest.fixture
def chonburi_org(db) -> Organization:
    return OrganizationFactory(district=district("2001"), name="ชลบุรีใหญ่", type=Organization.Type.SAO)


@pytest.fixture
def krabi_admin(db):
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"), username="krabi_admin")


@pytest.fixture
def department(db):
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL, username="dla_official")
