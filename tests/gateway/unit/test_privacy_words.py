"""Recognising "delete my data" however it is typed, and its confirmation."""
from __future__ import annotations

import pytest

from gateway.privacy import ASK_PAYLOAD, CONFIRM_PAYLOAD, PrivacyRequest, classify, fold


@pytest.mark.parametrize("text", [
    "xóa dữ liệu của tôi", "xoa du lieu cua toi", "Xoá dữ liệu của tôi!", "XÓA DỮ LIỆU CỦA TÔI",
    "tôi muốn xóa dữ liệu", "hãy xóa hết thông tin cá nhân của tôi đi", "xoa het du lieu cua minh",
    "xóa tin nhắn của tôi", "cho tôi xóa dữ liệu nhé",
])
def test_delete_requests(text: str) -> None:
    assert classify(text, None, confirmation_pending=False) is PrivacyRequest.ASK_DELETE


@pytest.mark.parametrize("text", [
    "xóa án tích", "thủ tục xóa án tích thế nào", "vay vốn", "dữ liệu", "xoa an tich cho toi", "có",
])
def test_other_messages_are_not_privacy_requests(text: str) -> None:
    assert classify(text, None, confirmation_pending=False) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Có", PrivacyRequest.CONFIRM), ("co", PrivacyRequest.CONFIRM), ("đồng ý", PrivacyRequest.CONFIRM),
    ("không", PrivacyRequest.CANCEL), ("ko", PrivacyRequest.CANCEL), ("vay vốn", None),
])
def test_answers_to_the_confirmation(text: str, expected: PrivacyRequest | None) -> None:
    assert classify(text, None, confirmation_pending=True) is expected


def test_confirm_button_without_a_question_asks_first() -> None:
    assert classify(None, CONFIRM_PAYLOAD, confirmation_pending=False) is PrivacyRequest.ASK_DELETE
    assert classify(None, ASK_PAYLOAD, confirmation_pending=False) is PrivacyRequest.ASK_DELETE


def test_fold() -> None:
    assert fold("Đã XÓA, dữ liệu!") == "da xoa du lieu"
