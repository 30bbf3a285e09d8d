"""Each action against a tracker fixture: the events it returns and the messages it sends."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

import knowledge_base
from actions.actions import ActionAnswer, ActionCrisis, ActionFallback, ActionFeedback, ActionHandoff
from actions.render import HELPFUL_PAYLOAD, NOT_HELPFUL_PAYLOAD, choose_article_payload

pytestmark = pytest.mark.usefixtures("kb")


def customs(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The json messages an action sent, in order; every message must be one."""
    assert all("custom" in m for m in dispatcher.messages)
    return [m["custom"] for m in dispatcher.messages]


def slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def payloads(message: dict[str, Any]) -> list[str]:
    return [b["payload"] for b in message["buttons"]]


def run(action: Any, tracker: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return events, customs(dispatcher)


# --- action_answer ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "article_id"),
    [
        ("lãi suất vay vốn bao nhiêu", "loan_22_2023.interest"),
        ("lai suat vay von bao nhieu vay", "loan_22_2023.interest"),
        ("vay duoc toi da bao nhieu tien", "loan_22_2023.amount"),
    ],
)
def test_answer_picks_the_article_and_cites_it(make_tracker: Any, text: str, article_id: str) -> None:
    events, messages = run(ActionAnswer(), make_tracker("loan_22_2023", text, slots={"fallback_count": 1}))
    assert {m["meta"]["topic"] for m in messages} == {"loan_22_2023"}
    assert messages[-1]["meta"]["article_id"] == article_id
    assert messages[-1]["text"].splitlines()[-1].startswith("Nguồn: Quyết định 22/2023/QĐ-TTg, Điều ")
    assert payloads(messages[-1])[-2:] == [HELPFUL_PAYLOAD, NOT_HELPFUL_PAYLOAD]
    assert slots(events) == {
        "last_topic": "loan_22_2023",
        "last_article_id": article_id,
        "fallback_count": 0,
        "not_helpful_count": 0,
    }


def test_answer_asks_back_when_the_ranking_is_unsure(make_tracker: Any) -> None:
    events, [message] = run(ActionAnswer(), make_tracker("loan_22_2023", "vay vốn"))
    assert message["meta"]["topic"] == "loan_22_2023"
    assert message["meta"]["article_id"] is None
    assert 2 <= len(message["buttons"]) <= 3
    assert all(p.startswith('/choose_article{"article_id":"loan_22_2023.') for p in payloads(message))
    assert slots(events)["last_topic"] == "loan_22_2023"


def test_topic_without_articles_keeps_its_code_and_offers_an_officer(make_tracker: Any) -> None:
    _, [message] = run(ActionAnswer(), make_tracker("legal_aid", "tôi muốn có luật sư miễn phí"))
    assert message["meta"]["topic"] == "legal_aid"
    assert payloads(message) == ["/handoff"]
    assert message["meta"]["handoff"] is None


def test_certificate_entity_chooses_between_so_1_and_so_2(make_tracker: Any) -> None:
    tracker = make_tracker("judicial_record", "p2 có ghi án đã xóa ko", entities={"certificate": "so_2"})
    _, messages = run(ActionAnswer(), tracker)
    assert messages[-1]["meta"]["article_id"] == "judicial_record.so_2"


def test_followup_intent_stays_in_the_previous_topic(make_tracker: Any) -> None:
    tracker = make_tracker("followup", "còn lãi suất thì sao?", slots={"last_topic": "loan_22_2023"})
    events, messages = run(ActionAnswer(), tracker)
    assert messages[-1]["meta"]["article_id"] == "loan_22_2023.interest"
    assert slots(events)["last_topic"] == "loan_22_2023"


def test_short_unsure_message_after_an_answer_stays_in_topic(make_tracker: Any) -> None:
    # The NLU guessed another topic, unsure; the previous answer's topic matches clearly.
    tracker = make_tracker(
        "judicial_record", "con lai suat thi sao", confidence=0.4, slots={"last_topic": "loan_22_2023"}
    )
    _, messages = run(ActionAnswer(), tracker)
    assert messages[-1]["meta"]["topic"] == "loan_22_2023"
    assert messages[-1]["meta"]["article_id"] == "loan_22_2023.interest"


def test_confident_new_topic_leaves_the_previous_one(make_tracker: Any) -> None:
    tracker = make_tracker(
        "judicial_record", "xin phiếu lý lịch tư pháp ở đâu vậy ạ", slots={"last_topic": "loan_22_2023"}
    )
    events, messages = run(ActionAnswer(), tracker)
    assert messages[-1]["meta"]["article_id"] == "judicial_record.where"
    assert slots(events)["last_topic"] == "judicial_record"


def test_followup_without_context_ranks_the_whole_knowledge_base(make_tracker: Any) -> None:
    _, messages = run(ActionAnswer(), make_tracker("followup", "xin lltp ở đâu"))
    assert messages[-1]["meta"]["topic"] == "judicial_record"


def test_chosen_article_is_answered_and_keeps_the_miss_count(make_tracker: Any) -> None:
    payload = choose_article_payload("loan_22_2023.amount")
    tracker = make_tracker(
        "choose_article", payload, entities={"article_id": "loan_22_2023.amount"}, slots={"not_helpful_count": 1}
    )
    events, messages = run(ActionAnswer(), tracker)
    assert messages[-1]["meta"]["article_id"] == "loan_22_2023.amount"
    assert "not_helpful_count" not in slots(events)


@pytest.mark.parametrize(
    ("intent", "topic", "article_id"),
    [
        ("greeting", "greeting", "greeting.hello"),
        ("thanks", "thanks", "thanks.welcome"),
        ("goodbye", "goodbye", "goodbye.bye"),
    ],
)
def test_conversation_intents_carry_their_topic(make_tracker: Any, intent: str, topic: str, article_id: str) -> None:
    events, messages = run(ActionAnswer(), make_tracker(intent, "chào"))
    assert [m["meta"]["topic"] for m in messages] == [topic] * len(messages)
    assert messages[0]["meta"]["article_id"] == article_id
    assert "Nguồn:" not in messages[-1]["text"]
    assert "last_topic" not in slots(events)


def test_out_of_scope_says_what_the_bot_does_with_an_officer_button(make_tracker: Any) -> None:
    _, messages = run(ActionAnswer(), make_tracker("out_of_scope", "hôm nay trời có mưa không"))
    assert messages[-1]["meta"]["topic"] == "out_of_scope"
    assert messages[-1]["meta"]["article_id"] == "out_of_scope.what_i_can_do"
    assert "/handoff" in payloads(messages[-1])


# --- action_feedback ----------------------------------------------------------------------------

def test_helpful_feedback_thanks_and_resets(make_tracker: Any, unanswered_file: Path) -> None:
    tracker = make_tracker(
        "feedback",
        HELPFUL_PAYLOAD,
        entities={"value": "helpful"},
        slots={"last_topic": "loan_22_2023", "not_helpful_count": 1},
    )
    events, [message] = run(ActionFeedback(), tracker)
    assert "Cảm ơn" in message["text"]
    assert message["meta"]["topic"] == "loan_22_2023"
    assert slots(events) == {"not_helpful_count": 0}
    assert not unanswered_file.exists()


def test_not_helpful_offers_other_articles_and_records_the_question(make_tracker: Any, unanswered_file: Path) -> None:
    tracker = make_tracker(
        "feedback",
        NOT_HELPFUL_PAYLOAD,
        entities={"value": "not_helpful"},
        slots={"last_topic": "loan_22_2023", "last_article_id": "loan_22_2023.interest"},
        history=["lãi vay bao nhiêu, sđt tôi 0912345678"],
    )
    events, [message] = run(ActionFeedback(), tracker)
    assert message["meta"]["topic"] == "loan_22_2023"
    assert message["buttons"]
    assert choose_article_payload("loan_22_2023.interest") not in payloads(message)
    assert "/handoff" not in payloads(message)
    assert slots(events) == {"not_helpful_count": 1}
    [record] = [json.loads(line) for line in unanswered_file.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == "lãi vay bao nhiêu, sđt tôi [số điện thoại]"
    assert record["topic_guess"] == "loan_22_2023"


def test_second_not_helpful_in_a_row_offers_an_officer_without_escalating(make_tracker: Any) -> None:
    tracker = make_tracker(
        "feedback",
        NOT_HELPFUL_PAYLOAD,
        entities={"value": "not_helpful"},
        slots={"last_topic": "loan_22_2023", "not_helpful_count": 1},
        history=["lãi vay bao nhiêu"],
    )
    events, [message] = run(ActionFeedback(), tracker)
    assert payloads(message) == ["/handoff"]
    assert message["meta"]["handoff"] is None  # offering is not escalating
    assert slots(events) == {"not_helpful_count": 2}


def test_handoff_after_two_misses_says_why(make_tracker: Any) -> None:
    _, messages = run(ActionHandoff(), make_tracker("handoff", "/handoff", slots={"not_helpful_count": 2}))
    assert messages[0]["meta"]["handoff"] == {"reason": "feedback", "priority": "normal"}


# --- action_fallback ----------------------------------------------------------------------------

def test_first_fallback_asks_did_you_mean_with_likely_articles(make_tracker: Any, unanswered_file: Path) -> None:
    tracker = make_tracker(
        "nlu_fallback",
        "cho hỏi lãi vay với, email toi a@b.vn",
        confidence=0.5,
        ranking=[("nlu_fallback", 0.5), ("loan_22_2023", 0.4), ("judicial_record", 0.3), ("greeting", 0.1)],
    )
    events, [message] = run(ActionFallback(), tracker)
    assert message["meta"]["topic"] == "out_of_scope"
    assert message["meta"]["article_id"] == "out_of_scope.clarify"
    assert payloads(message)[0] == choose_article_payload("loan_22_2023.interest")
    assert payloads(message)[1].startswith('/choose_article{"article_id":"judicial_record.')
    assert "/handoff" not in payloads(message)
    assert slots(events) == {"fallback_count": 1}
    [record] = [json.loads(line) for line in unanswered_file.read_text(encoding="utf-8").splitlines()]
    assert record["text"] == "cho hỏi lãi vay với, email toi [email]"
    assert set(record) == {"ts", "topic_guess", "text"}
    assert record["topic_guess"] == "loan_22_2023"


def test_unsure_nlu_is_overruled_by_a_literal_question(make_tracker: Any, unanswered_file: Path) -> None:
    tracker = make_tracker("nlu_fallback", "xin phiếu lý lịch tư pháp ở đâu", confidence=0.4)
    events, messages = run(ActionFallback(), tracker)
    assert messages[-1]["meta"]["article_id"] == "judicial_record.where"
    assert slots(events)["fallback_count"] == 0
    assert not unanswered_file.exists()


def test_second_fallback_in_a_row_offers_an_officer(make_tracker: Any) -> None:
    tracker = make_tracker("nlu_fallback", "asdf qwer", confidence=0.2, slots={"fallback_count": 1})
    events, [message] = run(ActionFallback(), tracker)
    assert message["meta"]["topic"] == "out_of_scope"
    assert message["meta"]["article_id"] == "out_of_scope.offer_officer"
    assert "/handoff" in payloads(message)
    assert message["meta"]["handoff"] is None
    assert slots(events) == {"fallback_count": 2}


def test_unsure_message_right_after_an_answer_is_read_in_that_topic(make_tracker: Any, unanswered_file: Path) -> None:
    tracker = make_tracker("nlu_fallback", "thế còn lãi suất?", confidence=0.3, slots={"last_topic": "loan_22_2023"})
    events, messages = run(ActionFallback(), tracker)
    assert messages[-1]["meta"]["article_id"] == "loan_22_2023.interest"
    assert slots(events)["fallback_count"] == 0
    assert not unanswered_file.exists()


# --- action_handoff / action_crisis -------------------------------------------------------------

def test_handoff_escalates_at_the_persons_request(make_tracker: Any) -> None:
    events, messages = run(ActionHandoff(), make_tracker("handoff", "cho tôi gặp cán bộ"))
    assert [m["meta"]["topic"] for m in messages] == ["handoff"] * len(messages)
    assert messages[0]["meta"]["handoff"] == {"reason": "user_request", "priority": "normal"}
    assert messages[0]["meta"]["article_id"] == "handoff.request"
    assert slots(events) == {"fallback_count": 0, "not_helpful_count": 0}


def test_handoff_after_the_fallback_offer_says_why(make_tracker: Any) -> None:
    _, messages = run(ActionHandoff(), make_tracker("handoff", "/handoff", slots={"fallback_count": 2}))
    assert messages[0]["meta"]["handoff"] == {"reason": "fallback", "priority": "normal"}


def test_crisis_gives_emergency_numbers_first_and_escalates_urgently(make_tracker: Any) -> None:
    _, messages = run(ActionCrisis(), make_tracker("crisis", "tôi không muốn sống nữa"))
    assert "113" in messages[0]["text"] and "115" in messages[0]["text"]
    assert all(m["meta"]["topic"] == "crisis" for m in messages)
    assert messages[0]["meta"]["handoff"] == {"reason": "crisis", "priority": "urgent"}


def test_crisis_picks_the_fitting_crisis_article_without_feedback_buttons(make_tracker: Any) -> None:
    _, messages = run(ActionCrisis(), make_tracker("crisis", "bọn tín dụng đen đòi nợ đe dọa khủng bố nhà tôi"))
    assert messages[0]["meta"]["article_id"] == "crisis.debt_threats"
    assert "113" in messages[0]["text"] and "115" in messages[0]["text"]
    assert messages[0]["meta"]["handoff"] == {"reason": "crisis", "priority": "urgent"}
    assert messages[-1]["text"].splitlines()[-1].startswith("Nguồn: ")
    assert HELPFUL_PAYLOAD not in payloads(messages[-1])


def test_crisis_puts_the_numbers_first_even_if_the_article_does_not(
    make_tracker: Any, kb: knowledge_base.KnowledgeBase
) -> None:
    article = kb.articles["crisis.now"]
    kb.articles["crisis.now"] = type(article)(**{**article.__dict__, "answer": ("Mình ở đây với bạn.",)})
    _, messages = run(ActionCrisis(), make_tracker("crisis", "có người đòi giết tôi"))
    assert "113" in messages[0]["text"] and "115" in messages[0]["text"]
    assert messages[1]["text"] == "Mình ở đây với bạn."


def test_crisis_answers_even_without_a_knowledge_base(make_tracker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from actions import kb as kb_cache

    def broken() -> None:
        raise knowledge_base.KnowledgeBaseError("articles missing")

    monkeypatch.setattr(kb_cache, "get_kb", broken)
    _, [message] = run(ActionCrisis(), make_tracker("crisis", "cứu tôi"))
    assert "113" in message["text"] and "115" in message["text"]
    assert message["meta"]["handoff"] == {"reason": "crisis", "priority": "urgent"}


@pytest.mark.parametrize(
    ("entity", "text", "expected"),
    [
        ("helpful", HELPFUL_PAYLOAD, "helpful"),
        ("not_helpful", NOT_HELPFUL_PAYLOAD, "not_helpful"),
        (None, "hữu ích lắm, cảm ơn", "helpful"),
        (None, "chưa đúng ý mình", "not_helpful"),
        (None, "không hữu ích", "not_helpful"),
        (None, "sai rồi", "not_helpful"),
    ],
)
def test_feedback_typed_in_words_is_read(entity: str | None, text: str, expected: str) -> None:
    from actions.feedback import feedback_value

    assert feedback_value(entity, text) == expected
