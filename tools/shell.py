"""Chat with the bot in the terminal: the trained model and the actions in this process.

    python -m tools.shell        (make shell)

Bubbles are printed as the person would see them, buttons numbered: type 1, 2, … to tap one.
Each reply shows its topic code; /restart starts a new conversation, /quit (or Ctrl-D) leaves.
"""
from __future__ import annotations

import itertools
import sys
from typing import Any

from tools.eval_answers import LocalEngine

PROMPT = "bạn> "


def format_reply(messages: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """The printable reply and the buttons of its last message (the ones a number can tap)."""
    lines: list[str] = []
    buttons: list[dict[str, str]] = []
    for message in messages:
        custom = message.get("custom") or {"text": message.get("text", ""), "buttons": [], "meta": {}}
        meta = custom.get("meta") or {}
        handoff = meta.get("handoff")
        label = f"[{meta.get('topic', 'out_of_scope')}" + (f" · {meta['article_id']}" if meta.get("article_id") else "")
        label += f" · chuyển cán bộ: {handoff['reason']}/{handoff['priority']}]" if handoff else "]"
        lines.append(f"bot {label}")
        lines.extend(f"  {line}" for line in (custom.get("text") or "").splitlines())
        buttons = custom.get("buttons") or buttons
    for number, button in enumerate(buttons, start=1):
        lines.append(f"  ({number}) {button['title']}")
    return "\n".join(lines), buttons


def to_message(typed: str, buttons: list[dict[str, str]]) -> str:
    """A number taps the matching button of the last reply; anything else is sent as typed."""
    if typed.isdigit() and 1 <= int(typed) <= len(buttons):
        return buttons[int(typed) - 1]["payload"]
    return typed


def main() -> None:
    print("Đang nạp mô hình…", file=sys.stderr)
    engine = LocalEngine()
    conversations = itertools.count(1)
    sender = f"shell-{next(conversations)}"
    buttons: list[dict[str, str]] = []
    print("Con đường hướng thiện — gõ câu hỏi; số để bấm nút; /restart; /quit.")
    try:
        while True:
            try:
                typed = input(PROMPT).strip()
            except EOFError:
                break
            if not typed:
                continue
            if typed == "/quit":
                break
            if typed == "/restart":
                sender, buttons = f"shell-{next(conversations)}", []
                print("(cuộc trò chuyện mới)")
                continue
            text, new_buttons = format_reply(engine.send(sender, to_message(typed, buttons)))
            buttons = new_buttons
            print(text or "(bot im lặng)")
    finally:
        engine.close()


if __name__ == "__main__":
    main()
