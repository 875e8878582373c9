"""A user's roles and permissions: the answers Django's ModelBackend gives, read in one query a request."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from command_center.context_processors import roles
from command_center.roles import OPERATOR, ROLE_PERMISSIONS, RoleBackend, is_operator

RETRY = "connections.retry_groupconnection"


def fresh(user):
    """The user as a new request loads it: nothing read yet."""
    return type(user).objects.get(pk=user.pk)


def test_an_operator_holds_every_operator_permission_and_a_viewer_none(viewer, operator):
    assert RoleBackend().get_all_permissions(fresh(operator)) == set(ROLE_PERMISSIONS[OPERATOR])
    assert RoleBackend().get_all_permissions(fresh(viewer)) == set()
    assert is_operator(fresh(operator)) and not is_operator(fresh(viewer))


@pytest.mark.parametrize("kind", ["viewer", "operator", "own permission", "both", "no group", "inactive", "superuser"])
def test_the_permissions_are_those_django_reads(kind, viewer, operator, django_user_model):
    user = {"viewer": viewer, "operator": operator}.get(kind) or django_user_model.objects.create_user(kind)
    own = Permission.objects.get(content_type__app_label="connections", codename="change_carrier")
    if kind in ("own permission", "both"):
        user.user_permissions.add(own)
    if kind == "both":
        user.groups.add(Group.objects.get(name=OPERATOR))
    if kind in ("inactive", "superuser"):
        user.groups.add(Group.objects.get(name=OPERATOR))
        user.is_active = kind != "inactive"
        user.is_superuser = kind == "superuser"
        user.save()
    expected = ModelBackend().get_all_permissions(fresh(user))
    assert RoleBackend().get_all_permissions(fresh(user)) == expected
    assert fresh(user).has_perm(RETRY) == (RETRY in expected or kind == "superuser")


def test_a_page_reads_the_role_and_every_permission_in_one_query(operator, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = fresh(operator)
    with django_assert_num_queries(1):
        context = roles(request)
    assert context["role"] == "Operator"
    assert context["can_retry"] and context["can_sync"] and context["can_note"]


def test_a_role_taken_away_counts_from_the_next_request(operator):
    user = fresh(operator)
    assert user.has_perm(RETRY)
    operator.groups.clear()
    next_request = fresh(operator)
    assert not next_request.has_perm(RETRY) and not is_operator(next_request)
