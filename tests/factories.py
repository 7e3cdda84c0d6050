"""Test data factories. Geography (76 provinces, 878 districts) comes from the migrations."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from organizations.models import District, Organization, Province

PASSWORD = "test-pass-2569"


def province(code: str = "81") -> Province:
    """A real province by DOPA code (81 = กระบี่)."""
    return Province.objects.get(code=code)


def district(code: str = "8101") -> District:
    """A real district by DOPA code (8101 = เมืองกระบี่)."""
    return District.objects.get(code=code)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    district = factory.LazyFunction(district)
    type = Organization.Type.SAO
    name = factory.Sequence(lambda n: f"ทดสอบ{n}")

    @factory.lazy_attribute_sequence
    def code(self, n):
        # Type digit, district, a running number; past codes a test fixed by hand (say
        # self_assessment(code="6810170")) so that the sequence never meets them.
        digit = {"pao": "2", "city": "3", "town": "4", "subdistrict": "5", "sao": "6", "pattaya": "3"}[self.type]
        prefix = f"{digit}{self.district.code}"
        taken = set(Organization.objects.filter(code__startswith=prefix).values_list("code", flat=True))
        return next(code for k in range(100) if (code := f"{prefix}{(n + k) % 100:02d}") not in taken)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.go.th")
    first_name = "ทดสอบ"
    last_name = factory.Sequence(lambda n: f"ผู้ใช้{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(kind: str, *, organization: Organization | None = None, province: Province | None = None, **fields) -> User:
    """A user holding one role; organization/province default to a Krabi organization/province."""
    user = UserFactory(**fields)
    if kind in Role.ORGANIZATION_KINDS:
        organization = organization or OrganizationFactory()
        Role.objects.create(user=user, kind=kind, organization=organization)
    elif kind in Role.PROVINCE_KINDS:
        Role.objects.create(user=user, kind=kind, province=province or Province.objects.get(code="81"))
    else:
        Role.objects.create(user=user, kind=kind)
    return user
