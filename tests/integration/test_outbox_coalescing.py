"""enqueue_on_change writes one row per page and action per transaction, and never loses
one: a row rolled back with a savepoint, taken by a drain or deleted is written again, and
the last word about a page still wins. Real database."""
import pytest
from django.db import transaction

from lessons.models import LessonLearned
from search import outbox
from search.models import PendingIndexUpdate

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def page_id(demo_index):
    PendingIndexUpdate.objects.all().delete()
    return LessonLearned.objects.live().first().id


def actions(page_id):
    return list(PendingIndexUpdate.objects.filter(page_id=page_id).order_by("id").values_list("action", flat=True))


def test_the_same_page_is_queued_once_per_transaction(page_id):
    with transaction.atomic():
        outbox.enqueue_on_change([page_id, page_id])
        outbox.enqueue_on_change([page_id])
    assert actions(page_id) == [PendingIndexUpdate.INDEX]


def test_a_row_rolled_back_with_its_savepoint_is_written_again(page_id):
    with transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            outbox.enqueue_on_change([page_id])
            raise Boom
        outbox.enqueue_on_change([page_id])
    assert actions(page_id) == [PendingIndexUpdate.INDEX]


def test_the_last_word_about_a_page_wins(page_id):
    with transaction.atomic():
        outbox.enqueue_on_change([page_id])
        outbox.enqueue_on_change([page_id], PendingIndexUpdate.DELETE)
        outbox.enqueue_on_change([page_id])
    assert actions(page_id) == [PendingIndexUpdate.INDEX, PendingIndexUpdate.DELETE, PendingIndexUpdate.INDEX]


def test_a_row_taken_in_the_same_transaction_is_written_again(page_id):
    with transaction.atomic():
        outbox.enqueue_on_change([page_id])
        assert outbox.drain() == 1
        outbox.enqueue_on_change([page_id])
        assert actions(page_id) == [PendingIndexUpdate.INDEX]
        PendingIndexUpdate.objects.all().delete()
        outbox.enqueue_on_change([page_id])
    assert actions(page_id) == [PendingIndexUpdate.INDEX]


def test_a_rolled_back_transaction_leaves_no_row(page_id):
    with pytest.raises(Boom), transaction.atomic():
        outbox.enqueue_on_change([page_id])
        raise Boom
    assert actions(page_id) == []


def test_batched_writes_on_leaving_what_the_calls_would_have_written(page_id):
    other = LessonLearned.objects.live().exclude(id=page_id).first().id
    with transaction.atomic():
        outbox.enqueue_on_change([page_id])  # before: coalesced with the batch's row as without it
        with outbox.batched():
            outbox.enqueue_on_change([page_id])
            outbox.enqueue_on_change([other])
            outbox.enqueue_on_change([page_id], PendingIndexUpdate.DELETE)
            outbox.enqueue_on_change([other], PendingIndexUpdate.DELETE)
            assert actions(other) == []  # held back
        assert actions(page_id) == [PendingIndexUpdate.INDEX, PendingIndexUpdate.DELETE]
        assert actions(other) == [PendingIndexUpdate.INDEX, PendingIndexUpdate.DELETE]
        with pytest.raises(Boom), outbox.batched():
            outbox.enqueue_on_change([other])
            raise Boom
    assert actions(other) == [PendingIndexUpdate.INDEX, PendingIndexUpdate.DELETE]
