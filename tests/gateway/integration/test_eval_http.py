"""tools/eval_http.py against a live gateway with the fake engine."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import func, select

from gateway.db import ContactIdentity, Database
from gateway.settings import Settings
from tools import eval_http


def test_topic_skips_the_consent_notice() -> None:
    body = {"messages": [{"text": "…", "meta": {"topic": None, "kind": "consent"}},
                         {"text": "…", "meta": {"topic": "loan_22_2023", "kind": "answer"}}]}
    assert eval_http.topic_of(body) == "loan_22_2023"
    assert eval_http.topic_of({"messages": []}) == "out_of_scope"


def test_scores_the_stack_over_http(live_gateway: str, tmp_path: Path, capsys: object,
                                    settings: Settings) -> None:
    file = tmp_path / "eval.tsv"
    file.write_text("text\ttopics\nvay vốn lãi suất bao nhiêu\tloan_22_2023\nxin chào\tgreeting\n"
                    "thời tiết hôm nay\tout_of_scope\ngặp cán bộ\thandoff\n", encoding="utf-8")

    assert eval_http.main(["--file", str(file), "--url", live_gateway]) == 0

    out = capsys.readouterr().out  # type: ignore[attr-defined]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["n"] == 4
    assert summary["accuracy"] == 1.0 and summary["accuracy_stripped"] == 1.0

    # The test senders deleted their data afterwards, like a person can.
    async def contacts() -> int:
        database = Database(settings.database_url)
        async with database.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(ContactIdentity).where(
                ContactIdentity.external_id.like("eval-%")))
        await database.dispose()
        return int(count or 0)

    assert asyncio.run(contacts()) == 0
