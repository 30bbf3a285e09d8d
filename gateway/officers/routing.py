"""Which unit answers a person: their ward (new or old name) -> the unit serving it (config/units.yml).

Since 01/7/2025 the district level is gone; people still write old names ("phường Kinh Dinh",
"TP Phan Rang"). A ward is resolved in this order:
  1. a current ward name of the configuration ("Phường Đông Hải", "dong hai");
  2. underthesea.convert_address (offline old -> new mapping), tried with the province added;
  3. the alias table in the YAML (no diacritics, abbreviations, old district/city names).
A name spread over several wards (e.g. the old city) is ambiguous: the default unit takes it and the
officer (or the bot) asks which ward.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import handoff
from gateway.conversations.unit_of_work import UnitOfWork
from gateway.db.models import Contact, Conversation
from gateway.officers.models import Unit

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "units.yml"
OLD_PROVINCE_HINT = "Tỉnh Ninh Thuận"
_PREFIXES = ("phuong", "p.", "p", "xa", "thi tran", "tt.", "tt")


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "Phường Đô Vinh" -> "phuong do vinh"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[-–,.;:/()]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_prefix(folded: str) -> str:
    for prefix in _PREFIXES:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1:]
    return folded


@dataclass(frozen=True)
class UnitConfig:
    code: str
    name: str
    wards: tuple[str, ...]
    is_default: bool = False


@dataclass(frozen=True)
class WardMatch:
    """`ward` is a current ward name (None if unknown); several `candidates` mean "ask which one"."""

    ward: str | None
    candidates: tuple[str, ...] = ()
    source: str | None = None          # "name" | "underthesea" | "alias"

    @property
    def ambiguous(self) -> bool:
        return self.ward is None and bool(self.candidates)


@dataclass(frozen=True)
class Directory:
    province: str
    units: tuple[UnitConfig, ...]
    aliases: dict[str, str | tuple[str, ...]]       # one ward, or a list of candidate wards

    @property
    def wards(self) -> tuple[str, ...]:
        return tuple(ward for unit in self.units for ward in unit.wards)

    @property
    def default_unit(self) -> UnitConfig | None:
        return next((unit for unit in self.units if unit.is_default), None)

    def unit_for_ward(self, ward: str | None) -> UnitConfig | None:
        if ward:
            for unit in self.units:
                if fold(ward) in {fold(w) for w in unit.wards}:
                    return unit
        return self.default_unit

    def resolve_ward(self, text: str | None) -> WardMatch:
        if not text or not text.strip():
            return WardMatch(None)
        folded = fold(text)
        by_fold = {fold(ward): ward for ward in self.wards}
        if _strip_prefix(folded) in by_fold:
            return WardMatch(by_fold[_strip_prefix(folded)], source="name")
        converted = _convert_with_underthesea(text, self.province)
        if converted is not None:
            ward = by_fold.get(fold(converted), converted)
            return WardMatch(ward, source="underthesea")
        return self._from_aliases(folded, by_fold)

    def _from_aliases(self, folded: str, by_fold: dict[str, str]) -> WardMatch:
        keys = dict(self.aliases)
        keys.update(by_fold)
        stripped = _strip_prefix(folded)
        # Whole-text match first, then the longest name found inside a sentence ("toi o kinh dinh").
        for candidate in (folded, stripped):
            if candidate in keys:
                return _match(keys[candidate])
        for key in sorted(keys, key=len, reverse=True):
            if re.search(rf"(^|\s){re.escape(key)}($|\s)", folded):
                return _match(keys[key])
        return WardMatch(None)


def _match(value: str | tuple[str, ...]) -> WardMatch:
    # A YAML list, even of one ward, says "the old name covers more than our wards": ask, don't guess.
    if isinstance(value, str):
        return WardMatch(value, source="alias")
    return WardMatch(None, candidates=value, source="alias")


@functools.lru_cache(maxsize=1024)
def _convert_with_underthesea(text: str, province: str) -> str | None:
    """The new ward name underthesea maps an old address to, if it lands in our province."""
    try:
        from underthesea import convert_address  # imported late: ~1 s, only when needed
    except ImportError:  # pragma: no cover - underthesea is in the gateway lock file
        return None
    bare = text.strip()
    attempts = [bare, f"{bare}, {OLD_PROVINCE_HINT}"]
    if not re.match(r"(?i)^\s*(phường|xã|thị trấn)\b", bare):
        attempts += [f"{kind} {bare}, {OLD_PROVINCE_HINT}" for kind in ("Phường", "Xã", "Thị trấn")]
    for attempt in attempts:
        try:
            result = convert_address(attempt)
        except Exception:
            log.debug("convert_address failed", exc_info=True)
            continue
        if getattr(result.status, "value", "") != "success":
            continue
        new_ward = result.new.ward or ""
        if fold(result.new.province) != fold(province) or not new_ward:
            continue
        return re.sub(r"(?i)^(phường|xã|đặc khu)\s+", "", new_ward).strip()
    return None


def parse_directory(data: dict[str, Any]) -> Directory:
    units = tuple(
        UnitConfig(code=str(raw["code"]), name=str(raw["name"]), wards=tuple(raw.get("wards") or ()),
                   is_default=bool(raw.get("default", False)))
        for raw in data.get("units") or [])
    aliases: dict[str, str | tuple[str, ...]] = {}
    for key, value in (data.get("aliases") or {}).items():
        aliases[fold(str(key))] = tuple(str(v) for v in value) if isinstance(value, list) else str(value)
    return Directory(province=str(data.get("province", "")), units=units, aliases=aliases)


def load_directory(path: Path | None = None) -> Directory:
    return _load_cached(str(path or DEFAULT_PATH))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> Directory:
    with open(path, encoding="utf-8") as handle:
        return parse_directory(yaml.safe_load(handle) or {})


# --- database side -------------------------------------------------------------------------
async def seed_units(session: AsyncSession, directory: Directory) -> int:
    """Insert the configured units missing from the table (admins' edits in the console are kept)."""
    existing = set((await session.scalars(select(Unit.code))).all())
    added = 0
    for unit in directory.units:
        if unit.code not in existing:
            session.add(Unit(code=unit.code, name=unit.name, wards=list(unit.wards), is_default=unit.is_default))
            added += 1
    await session.flush()
    return added


async def database_directory(session: AsyncSession, directory: Directory) -> Directory:
    """The YAML's aliases with the units as stored (admins may have changed them)."""
    rows = (await session.scalars(select(Unit).where(Unit.active.is_(True)))).all()
    if not rows:
        return directory
    units = tuple(UnitConfig(code=r.code, name=r.name, wards=tuple(r.wards or ()), is_default=r.is_default)
                  for r in rows)
    return Directory(province=directory.province, units=units, aliases=directory.aliases)


async def route_conversation(session: AsyncSession, conversation: Conversation,
                             directory: Directory | None = None) -> str | None:
    """Set the conversation's unit from the person's ward (called when it is escalated).

    A unit already set stays (an officer's transfer wins over the automatic route), except the default
    intake unit: a conversation waits there only until the person's ward is known.
    """
    directory = await database_directory(session, directory or load_directory())
    intake = directory.default_unit
    if conversation.unit_code and (intake is None or conversation.unit_code != intake.code):
        return conversation.unit_code
    contact = await session.get(Contact, conversation.contact_id)
    match = directory.resolve_ward(contact.ward if contact else None)
    unit = directory.unit_for_ward(match.ward)
    if unit is None:
        return None
    conversation.unit_code = unit.code
    if contact is not None and match.ward and contact.unit_code != unit.code:
        contact.unit_code = unit.code
    return unit.code


# A reply to "which ward?" is short; a longer message may name a place for another reason.
WARD_REPLY_MAX_WORDS = 10


async def ward_from_person(uow: UnitOfWork, conversation: Conversation, contact: Contact, text: str | None,
                           *, now: datetime) -> str | None:
    """The person named their ward while waiting for an officer: store it, and move the conversation
    from the intake unit to the ward's unit if nobody has taken it yet. Returns the ward, or None."""
    if contact.ward or not text or len(text.split()) > WARD_REPLY_MAX_WORDS:
        return None
    directory = await database_directory(uow.session, load_directory())
    match = await asyncio.to_thread(directory.resolve_ward, text)   # underthesea may take a moment
    if match.ward is None:
        return None
    contact.ward = match.ward
    unit = directory.unit_for_ward(match.ward)
    if unit is None:
        return match.ward
    contact.unit_code = unit.code
    intake = directory.default_unit
    waiting_at_intake = (conversation.status == "human" and conversation.officer_id is None
                         and intake is not None and conversation.unit_code == intake.code)
    if waiting_at_intake and unit.code != conversation.unit_code:
        await handoff.transfer(uow, conversation, unit_code=unit.code, now=now)
    return match.ward
