"""What a waiting person is told: working hours, holidays, the expected time, 113 when urgent."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from gateway.officers.hours import (
    WorkingHoursError,
    load_working_hours,
    parse_working_hours,
    waiting_notice,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = parse_working_hours({
    "timezone": "Asia/Ho_Chi_Minh",
    "weekly": {d: ["07:30-11:30", "13:30-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    "expected_reply_minutes": {"urgent": 15, "normal": 60},
    "holidays": ["2026-09-02", {"from": "2026-02-14", "to": "2026-02-22"}],
})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


def test_within_hours_says_roughly_when() -> None:
    text = waiting_notice(at(2026, 11, 26, 9, 0), "normal", hours=HOURS)     # a Thursday morning
    assert "cán bộ (không phải bot)" in text and "khoảng 1 giờ" in text
    assert "113" not in text
    assert "khoảng 15 phút" in waiting_notice(at(2026, 11, 26, 9, 0), "urgent", hours=HOURS)


@pytest.mark.parametrize(("now", "expected"), [
    (at(2026, 11, 26, 12, 0), "từ 13:30 hôm nay"),                       # lunch break
    (at(2026, 11, 26, 17, 0), "từ 7:30 ngày mai (Thứ Sáu, 27/11)"),       # 17:00 is closed
    (at(2026, 11, 27, 18, 30), "từ 7:30 Thứ Hai, 30/11"),                 # Friday evening -> Monday
    (at(2026, 11, 28, 10, 0), "từ 7:30 Thứ Hai, 30/11"),                  # Saturday
    (at(2026, 2, 13, 18, 0), "từ 7:30 Thứ Hai, 23/02"),                   # Tết holidays skipped
    (at(2026, 9, 1, 20, 0), "từ 7:30 Thứ Năm, 03/09"),                    # National Day skipped
])
def test_outside_hours_gives_the_next_opening_honestly(now: datetime, expected: str) -> None:
    text = waiting_notice(now, "normal", hours=HOURS)
    assert "ngoài giờ làm việc" in text and expected in text
    assert "Thứ Hai–Thứ Sáu, 7:30–11:30 và 13:30–17:00" in text


def test_urgent_always_names_113() -> None:
    for now in (at(2026, 11, 26, 9, 0), at(2026, 11, 28, 23, 0)):
        assert "113" in waiting_notice(now, "urgent", hours=HOURS)


def test_now_in_utc_is_read_in_vietnam_time() -> None:
    utc = datetime(2026, 11, 26, 2, 0, tzinfo=ZoneInfo("UTC"))            # 09:00 in Vietnam
    assert "ngoài giờ" not in waiting_notice(utc, "normal", hours=HOURS)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        waiting_notice(datetime(2026, 11, 26, 9, 0), "normal", hours=HOURS)


def test_the_shipped_configuration_loads() -> None:
    hours = load_working_hours()
    assert hours.timezone.key == "Asia/Ho_Chi_Minh"
    assert hours.is_open(at(2026, 11, 26, 8, 0)) and not hours.is_open(at(2026, 11, 29, 8, 0))
    assert date(2026, 9, 2) in hours.holidays and date(2026, 2, 16) in hours.holidays


@pytest.mark.parametrize("bad", [
    {"weekly": {"monday": ["07:30-11:30"]}},
    {"weekly": {"mon": ["11:30-07:30"]}},
    {"weekly": {"mon": ["7h30 đến 11h30"]}},
    {"holidays": ["02/09/2026"]},
])
def test_a_broken_configuration_names_the_problem(bad: dict) -> None:
    with pytest.raises(WorkingHoursError):
        parse_working_hours(bad)
