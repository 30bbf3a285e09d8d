"""The handoff transition table, without I/O."""
from __future__ import annotations

import itertools

import pytest

from gateway.db.models import Conversation
from gateway.handoff import (
    TRANSITIONS,
    HandoffEvent,
    IllegalTransition,
    State,
    higher_priority,
    next_state,
    state_of,
)

E, S = HandoffEvent, State

LEGAL = {
    (S.BOT, E.REQUEST_HUMAN): S.WAITING,
    (S.RESOLVED, E.REQUEST_HUMAN): S.WAITING,
    (S.WAITING, E.REQUEST_HUMAN): S.WAITING,
    (S.WAITING, E.CLAIM): S.ASSIGNED,
    (S.BOT, E.TAKE_OVER): S.ASSIGNED,
    (S.RESOLVED, E.TAKE_OVER): S.ASSIGNED,
    (S.WAITING, E.TRANSFER_TO_OFFICER): S.ASSIGNED,
    (S.ASSIGNED, E.TRANSFER_TO_OFFICER): S.ASSIGNED,
    (S.WAITING, E.TRANSFER_TO_UNIT): S.WAITING,
    (S.ASSIGNED, E.TRANSFER_TO_UNIT): S.WAITING,
    (S.WAITING, E.RESOLVE): S.RESOLVED,
    (S.ASSIGNED, E.RESOLVE): S.RESOLVED,
    (S.WAITING, E.HAND_BACK): S.BOT,
    (S.ASSIGNED, E.HAND_BACK): S.BOT,
    (S.RESOLVED, E.PERSON_WROTE_AFTER_RESOLVE): S.BOT,
}


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("state", "event"), sorted(LEGAL, key=str))
def test_legal_moves(state: State, event: HandoffEvent) -> None:
    assert next_state(state, event) is LEGAL[(state, event)]


ILLEGAL = [pair for pair in itertools.product(State, HandoffEvent) if pair not in LEGAL]


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_illegal_moves_raise(state: State, event: HandoffEvent) -> None:
    with pytest.raises(IllegalTransition) as raised:
        next_state(state, event)
    assert raised.value.state is state and raised.value.event is event


def test_some_moves_people_might_expect_are_illegal() -> None:
    for state, event in [(S.ASSIGNED, E.CLAIM), (S.BOT, E.RESOLVE), (S.BOT, E.HAND_BACK),
                         (S.ASSIGNED, E.REQUEST_HUMAN), (S.WAITING, E.PERSON_WROTE_AFTER_RESOLVE)]:
        assert (state, event) in ILLEGAL


@pytest.mark.parametrize(("status", "officer_id", "state"), [
    ("bot", None, S.BOT), ("human", None, S.WAITING), ("human", 7, S.ASSIGNED), ("resolved", 7, S.RESOLVED),
])
def test_state_is_read_from_status_and_officer(status: str, officer_id: int | None, state: State) -> None:
    assert state_of(Conversation(status=status, officer_id=officer_id)) is state


def test_priority_only_rises() -> None:
    assert higher_priority("normal", "urgent") == "urgent"
    assert higher_priority("urgent", "normal") == "urgent"
    assert higher_priority("high", "low") == "high"
