"""Working hours and holidays (config/working_hours.yml), and what the person is told while waiting.

`waiting_notice(now, priority)` is pure given the configuration: the pipeline calls it right after a
conversation moves to the officers, so the person knows an officer (not the bot) will answer, and when.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "working_hours.yml"
DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
EMERGENCY_LINE = "Nếu bạn đang gặp nguy hiểm, hãy gọi ngay 113 (Công an) hoặc 115 (Cấp cứu)."
DEFAULT_REPLY_MINUTES = {"urgent": 15, "high": 30, "normal": 60, "low": 120}


class WorkingHoursError(ValueError):
    """Raised when config/working_hours.yml cannot be understood; names the bad entry."""


@dataclass(frozen=True)
class WorkingHours:
    timezone: ZoneInfo
    weekly: dict[int, tuple[tuple[time, time], ...]]          # weekday (0 = Monday) -> periods
    holidays: frozenset[date] = frozenset()
    expected_reply_minutes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_REPLY_MINUTES))

    def periods_on(self, day: date) -> tuple[tuple[time, time], ...]:
        if day in self.holidays:
            return ()
        return self.weekly.get(day.weekday(), ())

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.timezone)
        return any(start <= local.time() < end for start, end in self.periods_on(local.date()))

    def next_opening(self, now: datetime, *, horizon_days: int = 60) -> datetime | None:
        """The first moment after `now` when officers are at work (None if none within the horizon)."""
        local = now.astimezone(self.timezone)
        for offset in range(horizon_days + 1):
            day = local.date() + timedelta(days=offset)
            for start, _end in self.periods_on(day):
                opening = datetime.combine(day, start, tzinfo=self.timezone)
                if opening > local:
                    return opening
        return None

    def schedule_text(self) -> str:
        """E.g. "Thứ Hai–Thứ Sáu, 7:30–11:30 và 13:30–17:00" when every working day is the same."""
        days = sorted(self.weekly)
        if not days:
            return "không có lịch trực cố định"
        periods = {self.weekly[d] for d in days}
        hours = " và ".join(f"{_clock(s)}–{_clock(e)}" for s, e in self.weekly[days[0]])
        contiguous = days == list(range(days[0], days[-1] + 1))
        if len(periods) == 1 and contiguous and len(days) > 1:
            return f"{WEEKDAY_NAMES[days[0]]}–{WEEKDAY_NAMES[days[-1]]}, {hours}"
        return "; ".join(
            f"{WEEKDAY_NAMES[d]} " + " và ".join(f"{_clock(s)}–{_clock(e)}" for s, e in self.weekly[d])
            for d in days)


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _parse_period(raw: str, where: str) -> tuple[time, time]:
    try:
        start_raw, end_raw = (part.strip() for part in str(raw).split("-"))
        start, end = time.fromisoformat(start_raw), time.fromisoformat(end_raw)
    except ValueError as error:
        raise WorkingHoursError(f"{where}: expected 'HH:MM-HH:MM', got {raw!r}") from error
    if start >= end:
        raise WorkingHoursError(f"{where}: period {raw!r} ends before it starts")
    return start, end


def _parse_holidays(raw: list[Any]) -> frozenset[date]:
    days: set[date] = set()
    for entry in raw or []:
        if isinstance(entry, dict):
            first, last = _as_date(entry.get("from")), _as_date(entry.get("to"))
            if last < first:
                raise WorkingHoursError(f"holiday range {entry!r} ends before it starts")
            days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            days.add(_as_date(entry))
    return frozenset(days)


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise WorkingHoursError(f"holiday {value!r} is not a date (YYYY-MM-DD)") from error


def parse_working_hours(data: dict[str, Any]) -> WorkingHours:
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for key, periods in (data.get("weekly") or {}).items():
        if key not in DAY_KEYS:
            raise WorkingHoursError(f"weekly: unknown day {key!r} (use {', '.join(DAY_KEYS)})")
        weekly[DAY_KEYS.index(key)] = tuple(sorted(_parse_period(p, f"weekly.{key}") for p in periods or []))
    minutes = dict(DEFAULT_REPLY_MINUTES)
    minutes.update({str(k): int(v) for k, v in (data.get("expected_reply_minutes") or {}).items()})
    return WorkingHours(timezone=ZoneInfo(data.get("timezone", "Asia/Ho_Chi_Minh")), weekly=weekly,
                        holidays=_parse_holidays(data.get("holidays") or []),
                        expected_reply_minutes=minutes)


def load_working_hours(path: Path | None = None) -> WorkingHours:
    return _load_cached(str(path or DEFAULT_PATH))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> WorkingHours:
    with open(path, encoding="utf-8") as handle:
        return parse_working_hours(yaml.safe_load(handle) or {})


def _when(opening: datetime, now: datetime, tz: ZoneInfo) -> str:
    today = now.astimezone(tz).date()
    day = opening.date()
    clock = _clock(opening.timetz())
    if day == today:
        return f"{clock} hôm nay"
    label = f"{WEEKDAY_NAMES[day.weekday()]}, {day:%d/%m}"
    if day == today + timedelta(days=1):
        return f"{clock} ngày mai ({label})"
    return f"{clock} {label}"


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} phút"
    hours, rest = divmod(minutes, 60)
    return f"{hours} giờ" + (f" {rest} phút" if rest else "")


def waiting_notice(now: datetime, priority: str, *, hours: WorkingHours | None = None) -> str:
    """What the person reads once their conversation waits for an officer (Vietnamese, one bubble)."""
    hours = hours or load_working_hours()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lines = ["Cuộc trò chuyện đã được chuyển cho cán bộ; từ bây giờ cán bộ (không phải bot) sẽ trả lời bạn."]
    if hours.is_open(now):
        minutes = hours.expected_reply_minutes.get(priority, hours.expected_reply_minutes.get("normal", 60))
        lines.append(f"Cán bộ thường trả lời trong khoảng {_duration(minutes)}. "
                     "Bạn cứ nhắn thêm, cán bộ sẽ đọc hết.")
    else:
        opening = hours.next_opening(now)
        when = f"từ {_when(opening, now, hours.timezone)}" if opening else "khi có cán bộ trực"
        lines.append(f"Bây giờ là ngoài giờ làm việc ({hours.schedule_text()}), nên cán bộ sẽ trả lời "
                     f"{when}. Tin nhắn của bạn đã được lưu lại.")
    if priority == "urgent":
        lines.append(EMERGENCY_LINE)
    return "\n".join(lines)
