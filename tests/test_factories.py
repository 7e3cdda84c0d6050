"""The test factories themselves: what they make must not collide with what a test fixed."""

import pytest

from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_the_organization_factory_steps_over_a_code_a_test_fixed_by_hand():
    first = OrganizationFactory()
    prefix, n = first.code[:-2], int(first.code[-2:])
    # Made with a code of its own, this one takes the sequence's next number; the code fixed
    # is the number after, which the next organization would otherwise be given.
    fixed = OrganizationFactory(code=f"{prefix}{(n + 2) % 100:02d}")

    following = OrganizationFactory()

    assert following.code.startswith(prefix)
    assert len({first.code, fixed.code, following.code}) == 3
