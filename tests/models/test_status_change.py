import datetime as dt

import pytest
from django.utils import timezone

from command_center.models import StatusChange
from command_center.sync.records import synthetic_id
from connections.models import GroupConnection
from members.models import MemberRequest

T0 = timezone.now() - dt.timedelta(days=3)


@pytest.mark.django_db
def test_for_object_is_the_timeline_of_one_record_oldest_first():
    connection = GroupConnection.objects.create(id=synthetic_id("gc", 1), status="completed")
    other = GroupConnection.objects.create(id=synthetic_id("gc", 2), status="created")
    request_same_id = MemberRequest(id=connection.pk)
    StatusChange.objects.bulk_create(
        [
            StatusChange.objects.build(
                connection, connection.pk, "processing", "completed", observed_at=T0 + dt.timedelta(days=2)
            ),
            StatusChange.objects.build(connection, connection.pk, None, "created", observed_at=T0),
            StatusChange.objects.build(
                connection, connection.pk, "created", "processing", observed_at=T0 + dt.timedelta(days=1)
            ),
            StatusChange.objects.build(other, other.pk, "", "created", observed_at=T0),
            StatusChange.objects.build(MemberRequest, request_same_id.pk, "", "processing", observed_at=T0),
        ]
    )

    timeline = list(StatusChange.objects.for_object(connection))

    assert [(c.old_status, c.new_status) for c in timeline] == [
        ("", "created"),
        ("created", "processing"),
        ("processing", "completed"),
    ]
    assert timeline[0].is_first_sight
    assert timeline[0].resource == "connections.groupconnection"
    assert StatusChange.objects.for_resource(MemberRequest).count() == 1
    assert str(timeline[1]) == f"connections.groupconnection {connection.pk}: created → processing"


@pytest.mark.django_db
def test_record_saves_one_change_with_noyos_modified():
    connection = GroupConnection.objects.create(id=synthetic_id("gc", 3), status="processing")
    change = StatusChange.objects.record(connection, "unable_to_connect", "processing", noyo_modified=T0)
    assert StatusChange.objects.for_object(connection).get() == change
    assert change.noyo_modified == T0
    assert StatusChange.objects.latest_first().first() == change
