"""The officer API under /api/v1/officer/ — the console is only a client of it.

Every route needs a signed-in officer (401 otherwise); state-changing ones also need the session's
CSRF token (403); admin routes need the admin role (403). Errors are `{"error": {"code", "message"}}`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import handoff
from gateway.db.models import Contact, Conversation, Message, Officer, utcnow
from gateway.officers import audit, auth, routing
from gateway.officers.auth import SignedIn, current_admin, current_officer
from gateway.officers.models import AuditEntry, CannedReply, Unit
from gateway.officers.replies import ReplyRefusedError, add_note, reply_window, send_reply
from gateway.services import Services, get_services

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
router = APIRouter(prefix="/api/v1/officer", tags=["officer"])
Officer_ = Annotated[SignedIn, Depends(current_officer)]
Admin_ = Annotated[SignedIn, Depends(current_admin)]
Services_ = Annotated[Services, Depends(get_services)]


def refused(status: int, code: str, message: str) -> HTTPException:
    return HTTPException(status, {"code": code, "message": message})


# --- schemas (they document the API in /openapi.json) -------------------------------------
class SignInRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class OfficerOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    active: bool = True
    locked: bool = False


class MeOut(BaseModel):
    officer: OfficerOut
    csrf_token: str


class QueueItem(BaseModel):
    id: str
    channel: str
    status: str
    state: str
    priority: str
    handoff_reason: str | None
    topic: str | None
    unit_code: str | None
    unit_name: str | None
    ward: str | None
    officer_id: int | None
    officer: str | None
    waiting_since: datetime | None
    waiting_seconds: int | None
    last_activity_at: datetime


class SourceOut(BaseModel):
    document: str | None = None
    article: str | None = None
    url: str | None = None


class MessageOut(BaseModel):
    id: int
    direction: str
    author: str
    officer: str | None
    private: bool
    text: str | None
    payload: str | None
    kind: str | None
    topic: str | None
    sources: list[SourceOut]
    delivery_status: str
    external_error: str | None
    created_at: datetime


class WindowOut(BaseModel):
    closes_at: datetime | None
    seconds_left: int | None
    free_until: datetime | None
    open: bool


class ConversationOut(BaseModel):
    conversation: QueueItem
    contact: dict[str, Any]
    reply_window: WindowOut
    can_reply: bool
    messages: list[MessageOut]


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class TransferIn(BaseModel):
    officer_id: int | None = None
    unit_code: str | None = Field(default=None, max_length=50)


class WardIn(BaseModel):
    ward: str = Field(min_length=1, max_length=200)


class CannedIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=2000)
    unit_code: str | None = Field(default=None, max_length=50)


class CannedOut(CannedIn):
    id: int


class UnitIn(BaseModel):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1, max_length=200)
    wards: list[str] = []
    is_default: bool = False
    active: bool = True


class OfficerIn(BaseModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=auth.MIN_PASSWORD_LENGTH, max_length=200)
    role: Literal["officer", "admin"] = "officer"
    unit_code: str | None = None


class OfficerPatch(BaseModel):
    display_name: str | None = Field(default=None, max_length=200)
    role: Literal["officer", "admin"] | None = None
    unit_code: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=auth.MIN_PASSWORD_LENGTH, max_length=200)
    unlock: bool = False


class AuditOut(BaseModel):
    id: int
    created_at: datetime
    username: str | None
    action: str
    conversation_id: str | None
    detail: dict[str, Any] | None
    ip: str | None


# --- helpers ------------------------------------------------------------------------------
def officer_out(officer: Officer) -> OfficerOut:
    locked = officer.locked_until is not None and officer.locked_until > utcnow()
    return OfficerOut(id=officer.id, username=officer.username, display_name=officer.display_name,
                      role=officer.role, unit_code=officer.unit_code, active=officer.active, locked=locked)


def can_see(officer: Officer, conversation: Conversation) -> bool:
    """Officers see their unit's conversations, unrouted ones and their own; admins see all."""
    if officer.role == "admin" or officer.unit_code is None:
        return True
    return conversation.officer_id == officer.id or conversation.unit_code in (None, officer.unit_code)


async def ensure_units(services: Services, session: AsyncSession) -> routing.Directory:
    """The units (seeded from config/units.yml the first time) with the YAML's aliases."""
    directory = routing.load_directory()
    if not services.extras.get("officer_units_seeded"):
        if await routing.seed_units(session, directory):
            await session.commit()
        services.extras["officer_units_seeded"] = True
    return await routing.database_directory(session, directory)


async def _load(session: AsyncSession, conversation_id: str, officer: Officer) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None or not can_see(officer, conversation):
        raise refused(404, "not_found", "Không có cuộc trò chuyện này (hoặc bạn không được xem).")
    return conversation


async def _items(session: AsyncSession, directory: routing.Directory, rows: list[Conversation]) -> list[QueueItem]:
    if not rows:
        return []
    ids = [c.id for c in rows]
    topics: dict[str, str] = {}
    for conversation_id, topic in (await session.execute(
            select(Message.conversation_id, Message.topic)
            .where(Message.conversation_id.in_(ids), Message.topic.is_not(None),
                   Message.topic.not_in(("handoff",)), Message.author == "bot")
            .order_by(Message.id.desc()))).all():
        if topic:
            topics.setdefault(conversation_id, topic)
    contacts = {c.id: c for c in (await session.scalars(
        select(Contact).where(Contact.id.in_({r.contact_id for r in rows})))).all()}
    officer_ids = {r.officer_id for r in rows if r.officer_id}
    names = dict((await session.execute(select(Officer.id, Officer.display_name)
                                        .where(Officer.id.in_(officer_ids)))).all()) if officer_ids else {}
    unit_names = {u.code: u.name for u in directory.units}
    now = utcnow()
    items = []
    for c in rows:
        contact = contacts.get(c.contact_id)
        unit_code = c.unit_code
        if unit_code is None and c.status == "human" and contact is not None:
            # Not routed when escalated (no hook yet): show where the ward would send it.
            match = directory.resolve_ward(contact.ward)
            unit = directory.unit_for_ward(match.ward)
            unit_code = unit.code if unit else None
        items.append(QueueItem(
            id=c.id, channel=c.channel, status=c.status, state=handoff.state_of(c).value, priority=c.priority,
            handoff_reason=c.handoff_reason, topic=topics.get(c.id), unit_code=unit_code,
            unit_name=unit_names.get(unit_code or ""), ward=contact.ward if contact else None,
            officer_id=c.officer_id, officer=names.get(c.officer_id) if c.officer_id else None,
            waiting_since=c.waiting_since,
            waiting_seconds=int((now - c.waiting_since).total_seconds()) if c.waiting_since else None,
            last_activity_at=c.last_activity_at))
    return items


def _message_out(m: Message, names: dict[int, str]) -> MessageOut:
    return MessageOut(id=m.id, direction=m.direction, author=m.author,
                      officer=names.get(m.officer_id) if m.officer_id else None, private=m.private, text=m.text,
                      payload=m.payload, kind=m.kind, topic=m.topic,
                      sources=[SourceOut(**{k: s.get(k) for k in ("document", "article", "url")})
                               for s in (m.sources or []) if isinstance(s, dict)],
                      delivery_status=m.delivery_status, external_error=m.external_error, created_at=m.created_at)


async def _transition(services: Services, request: Request, signed_in: SignedIn, conversation_id: str,
                      action: str, step: Any, detail: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    async with services.database.sessions() as session:
        await _load(session, conversation_id, signed_in.officer)
    try:
        transition = await step(conversation_id, **kwargs)
    except handoff.IllegalTransition as error:
        raise refused(409, "illegal_transition", _illegal_text(error)) from error
    except handoff.UnknownOfficer as error:
        raise refused(404, "unknown_officer", "Không có cán bộ này (hoặc tài khoản đã khóa).") from error
    except LookupError as error:
        raise refused(404, "not_found", "Không có cuộc trò chuyện này.") from error
    async with services.database.sessions() as session:
        audit.record(session, action, officer=signed_in.officer, conversation_id=conversation_id,
                     detail=detail, request=request)
        await session.commit()
    return {"conversation_id": conversation_id, "state": transition.after.value}


def _illegal_text(error: handoff.IllegalTransition) -> str:
    if error.state is handoff.State.ASSIGNED and error.event is handoff.HandoffEvent.CLAIM:
        return "Cán bộ khác đã nhận cuộc trò chuyện này."
    return f"Không thực hiện được: cuộc trò chuyện đang ở trạng thái “{error.state.value}”."


def _holder_or_admin(signed_in: SignedIn, conversation: Conversation) -> None:
    if signed_in.is_admin or conversation.officer_id in (None, signed_in.officer.id):
        return
    raise refused(403, "held_by_another_officer",
                  "Cuộc trò chuyện đang do cán bộ khác phụ trách; chỉ người đó hoặc quản trị viên được làm việc này.")


# --- sign-in ------------------------------------------------------------------------------
@router.post("/session", response_model=MeOut, summary="Đăng nhập")
async def sign_in(body: SignInRequest, request: Request, response: Response, services: Services_) -> MeOut:
    async with services.database.sessions() as session:
        result = await auth.sign_in(session, body.username, body.password)
        if result.locked_until is not None:
            audit.record(session, "sign_in_locked", officer=result.officer, request=request)
            await session.commit()
            raise refused(429, "account_locked",
                          "Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; thử lại sau 15 phút.")
        if not result.ok or result.officer is None:
            audit.record(session, "sign_in_failed", officer=result.officer,
                         username=None if result.officer else body.username[:100], request=request)
            await session.commit()
            raise refused(401, "invalid_credentials", "Sai tên đăng nhập hoặc mật khẩu.")
        audit.record(session, "sign_in", officer=result.officer, request=request)
        await session.commit()
        assert result.token is not None and result.csrf_token is not None
        response.set_cookie(auth.COOKIE_NAME, result.token, **auth.cookie_settings(services))  # type: ignore[arg-type]
        return MeOut(officer=officer_out(result.officer), csrf_token=result.csrf_token)


@router.delete("/session", status_code=204, summary="Đăng xuất")
async def sign_out(signed_in: Officer_, request: Request, services: Services_) -> Response:
    async with services.database.sessions() as session:
        await auth.sign_out(session, signed_in.token)
        audit.record(session, "sign_out", officer=signed_in.officer, request=request)
        await session.commit()
    response = Response(status_code=204)
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    return response


@router.get("/me", response_model=MeOut, summary="Cán bộ đang đăng nhập và mã CSRF của phiên")
async def me(signed_in: Officer_) -> MeOut:
    return MeOut(officer=officer_out(signed_in.officer), csrf_token=signed_in.csrf_token)


# --- queue and conversations --------------------------------------------------------------
@router.get("/conversations", response_model=list[QueueItem], summary="Hàng chờ và các cuộc trò chuyện")
async def conversations(signed_in: Officer_, services: Services_,
                        view: Literal["queue", "mine", "open", "bot"] = "queue",
                        limit: int = Query(200, ge=1, le=500)) -> list[QueueItem]:
    """`queue`: waiting, urgent first then longest wait; `mine`: held by me; `open`: all with officers;
    `bot`: recent conversations the bot is answering (to take one over)."""
    officer = signed_in.officer
    query = select(Conversation)
    if view == "queue":
        query = query.where(Conversation.status == "human", Conversation.officer_id.is_(None))
    elif view == "mine":
        query = query.where(Conversation.status == "human", Conversation.officer_id == officer.id)
    elif view == "open":
        query = query.where(Conversation.status == "human")
    else:
        query = query.where(Conversation.status == "bot").order_by(Conversation.last_activity_at.desc())
    if officer.role != "admin" and officer.unit_code is not None:
        query = query.where(or_(Conversation.unit_code.is_(None), Conversation.unit_code == officer.unit_code,
                                Conversation.officer_id == officer.id))
    async with services.database.sessions() as session:
        directory = await ensure_units(services, session)
        rows = list((await session.scalars(query.limit(limit))).all())
        items = await _items(session, directory, rows)
    if view != "bot":
        far = datetime.max.replace(tzinfo=None)
        items.sort(key=lambda i: (PRIORITY_ORDER.get(i.priority, 2),
                                  i.waiting_since.replace(tzinfo=None) if i.waiting_since else far))
    return items


@router.get("/conversations/{conversation_id}", response_model=ConversationOut,
            summary="Toàn bộ cuộc trò chuyện (việc xem được ghi nhật ký)")
async def conversation(conversation_id: str, signed_in: Officer_, request: Request,
                       services: Services_) -> ConversationOut:
    async with services.database.sessions() as session:
        directory = await ensure_units(services, session)
        c = await _load(session, conversation_id, signed_in.officer)
        messages = list((await session.scalars(select(Message).where(Message.conversation_id == c.id)
                                               .order_by(Message.id))).all())
        officer_ids = {m.officer_id for m in messages if m.officer_id}
        names = dict((await session.execute(select(Officer.id, Officer.display_name)
                                            .where(Officer.id.in_(officer_ids)))).all()) if officer_ids else {}
        contact = await session.get(Contact, c.contact_id)
        item = (await _items(session, directory, [c]))[0]
        window = reply_window(c, services.pipeline.adapters.get(c.channel))
        match = directory.resolve_ward(contact.ward if contact else None)
        audit.record(session, "read_conversation", officer=signed_in.officer, conversation_id=c.id, request=request)
        await session.commit()
    now = utcnow()
    can_reply = c.status == "human" and window.is_open(now) and (
        signed_in.is_admin or c.officer_id == signed_in.officer.id)
    return ConversationOut(
        conversation=item,
        contact={"display_name": contact.display_name if contact else None,
                 "audience": contact.audience if contact else None,
                 "ward": contact.ward if contact else None, "ward_resolved": match.ward,
                 "ward_candidates": list(match.candidates)},
        reply_window=WindowOut(closes_at=window.closes_at, seconds_left=window.seconds_left(now),
                               free_until=window.free_until, open=window.is_open(now)),
        can_reply=can_reply, messages=[_message_out(m, names) for m in messages])


@router.post("/conversations/{conversation_id}/claim", summary="Nhận cuộc trò chuyện trong hàng chờ")
async def claim(conversation_id: str, signed_in: Officer_, request: Request, services: Services_) -> dict[str, Any]:
    return await _transition(services, request, signed_in, conversation_id, "claim", services.handoff.claim,
                             officer=signed_in.officer.id)


@router.post("/conversations/{conversation_id}/take-over", summary="Tiếp nhận một cuộc trò chuyện bot đang trả lời")
async def take_over(conversation_id: str, signed_in: Officer_, request: Request,
                    services: Services_) -> dict[str, Any]:
    return await _transition(services, request, signed_in, conversation_id, "take_over",
                             services.handoff.take_over, officer=signed_in.officer.id)


@router.post("/conversations/{conversation_id}/transfer", summary="Chuyển cho cán bộ khác hoặc đơn vị khác")
async def transfer(conversation_id: str, body: TransferIn, signed_in: Officer_, request: Request,
                   services: Services_) -> dict[str, Any]:
    if (body.officer_id is None) == (body.unit_code is None):
        raise refused(422, "invalid_request", "Chọn một cán bộ hoặc một đơn vị.")
    async with services.database.sessions() as session:
        directory = await ensure_units(services, session)
        c = await _load(session, conversation_id, signed_in.officer)
        _holder_or_admin(signed_in, c)
    if body.unit_code is not None and body.unit_code not in {u.code for u in directory.units}:
        raise refused(404, "unknown_unit", "Không có đơn vị này.")
    return await _transition(services, request, signed_in, conversation_id, "transfer", services.handoff.transfer,
                             detail={"officer_id": body.officer_id, "unit_code": body.unit_code},
                             officer=body.officer_id, unit_code=body.unit_code, by=signed_in.officer.id)


@router.post("/conversations/{conversation_id}/resolve", summary="Đánh dấu đã giải quyết")
async def resolve(conversation_id: str, signed_in: Officer_, request: Request, services: Services_) -> dict[str, Any]:
    async with services.database.sessions() as session:
        _holder_or_admin(signed_in, await _load(session, conversation_id, signed_in.officer))
    return await _transition(services, request, signed_in, conversation_id, "resolve", services.handoff.resolve,
                             by=signed_in.officer.id)


@router.post("/conversations/{conversation_id}/hand-back", summary="Trả lại cho bot")
async def hand_back(conversation_id: str, signed_in: Officer_, request: Request,
                    services: Services_) -> dict[str, Any]:
    async with services.database.sessions() as session:
        _holder_or_admin(signed_in, await _load(session, conversation_id, signed_in.officer))
    return await _transition(services, request, signed_in, conversation_id, "hand_back",
                             services.handoff.hand_back, by=signed_in.officer.id)


@router.post("/conversations/{conversation_id}/messages", response_model=MessageOut,
             summary="Trả lời người dân qua kênh của họ")
async def reply(conversation_id: str, body: TextIn, signed_in: Officer_, request: Request,
                services: Services_) -> MessageOut:
    async with services.database.sessions() as session:
        await _load(session, conversation_id, signed_in.officer)
    try:
        message = await send_reply(services, conversation_id, signed_in.officer, body.text)
    except ReplyRefusedError as error:
        raise refused(error.status, error.code, error.message) from error
    async with services.database.sessions() as session:
        audit.record(session, "reply", officer=signed_in.officer, conversation_id=conversation_id,
                     detail={"message_id": message.id, "delivery_status": message.delivery_status},
                     request=request)
        await session.commit()
    return _message_out(message, {signed_in.officer.id: signed_in.officer.display_name})


@router.post("/conversations/{conversation_id}/notes", response_model=MessageOut,
             summary="Ghi chú nội bộ (không bao giờ gửi cho người dân)")
async def note(conversation_id: str, body: TextIn, signed_in: Officer_, request: Request,
               services: Services_) -> MessageOut:
    async with services.database.sessions() as session:
        await _load(session, conversation_id, signed_in.officer)
    try:
        message = await add_note(services, conversation_id, signed_in.officer, body.text)
    except ReplyRefusedError as error:
        raise refused(error.status, error.code, error.message) from error
    async with services.database.sessions() as session:
        audit.record(session, "note", officer=signed_in.officer, conversation_id=conversation_id,
                     detail={"message_id": message.id}, request=request)
        await session.commit()
    return _message_out(message, {signed_in.officer.id: signed_in.officer.display_name})


@router.put("/conversations/{conversation_id}/ward", summary="Ghi phường của người dân và chuyển đơn vị phụ trách")
async def set_ward(conversation_id: str, body: WardIn, signed_in: Officer_, request: Request,
                   services: Services_) -> dict[str, Any]:
    async with services.database.sessions() as session:
        directory = await ensure_units(services, session)
        c = await _load(session, conversation_id, signed_in.officer)
        _holder_or_admin(signed_in, c)
        match = directory.resolve_ward(body.ward)
        unit = directory.unit_for_ward(match.ward)
        contact = await session.get_one(Contact, c.contact_id)
        contact.ward = match.ward or body.ward.strip()
        contact.unit_code = unit.code if unit and match.ward else contact.unit_code
        audit.record(session, "set_ward", officer=signed_in.officer, conversation_id=c.id,
                     detail={"unit_code": unit.code if unit else None}, request=request)
        await session.commit()
        moved = (unit is not None and c.status == "human" and c.officer_id is None and c.unit_code != unit.code)
    if moved and unit is not None:
        await services.handoff.transfer(conversation_id, unit_code=unit.code, by=signed_in.officer.id)
    return {"ward": match.ward, "candidates": list(match.candidates), "unit_code": unit.code if unit else None,
            "moved": moved}


@router.get("/conversations/{conversation_id}/export", summary="Xuất toàn bộ cuộc trò chuyện (JSON, có ghi nhật ký)")
async def export(conversation_id: str, signed_in: Officer_, request: Request, services: Services_) -> dict[str, Any]:
    detail = await conversation(conversation_id, signed_in, request, services)
    async with services.database.sessions() as session:
        audit.record(session, "export", officer=signed_in.officer, conversation_id=conversation_id, request=request)
        await session.commit()
    return detail.model_dump(mode="json")


# --- directory: officers, units, canned replies ------------------------------------------
@router.get("/officers", response_model=list[OfficerOut], summary="Danh sách cán bộ (để chuyển)")
async def officers(signed_in: Officer_, services: Services_) -> list[OfficerOut]:
    async with services.database.sessions() as session:
        rows = (await session.scalars(select(Officer).order_by(Officer.display_name))).all()
    return [officer_out(o) for o in rows if o.active or signed_in.is_admin]


@router.post("/officers", response_model=OfficerOut, status_code=201, summary="(Quản trị) Tạo tài khoản cán bộ")
async def create_officer(body: OfficerIn, signed_in: Admin_, request: Request, services: Services_) -> OfficerOut:
    async with services.database.sessions() as session:
        taken = await session.scalar(select(Officer.id).where(func.lower(Officer.username) == body.username.lower()))
        if taken is not None:
            raise refused(409, "username_taken", "Tên đăng nhập đã có.")
        officer = Officer(username=body.username, display_name=body.display_name,
                          password_hash=auth.hash_password(body.password), role=body.role,
                          unit_code=body.unit_code, active=True, failed_logins=0)
        session.add(officer)
        await session.flush()
        audit.record(session, "officer_created", officer=signed_in.officer,
                     detail={"officer_id": officer.id, "role": body.role}, request=request)
        await session.commit()
        return officer_out(officer)


@router.patch("/officers/{officer_id}", response_model=OfficerOut, summary="(Quản trị) Sửa, khóa, mở khóa cán bộ")
async def update_officer(officer_id: int, body: OfficerPatch, signed_in: Admin_, request: Request,
                         services: Services_) -> OfficerOut:
    async with services.database.sessions() as session:
        officer = await session.get(Officer, officer_id)
        if officer is None:
            raise refused(404, "not_found", "Không có cán bộ này.")
        changes = body.model_dump(exclude_unset=True, exclude={"password"})
        for name in ("display_name", "role", "unit_code", "active"):
            if name in changes and changes[name] is not None:
                setattr(officer, name, changes[name])
        if body.unlock:
            officer.failed_logins, officer.locked_until = 0, None
        if body.password:
            officer.password_hash = auth.hash_password(body.password)
        if body.password or body.active is False:
            await auth.end_sessions_of(session, officer.id)
        audit.record(session, "officer_updated", officer=signed_in.officer,
                     detail={"officer_id": officer.id, "fields": sorted(body.model_dump(exclude_unset=True))},
                     request=request)
        await session.commit()
        return officer_out(officer)


@router.get("/units", response_model=list[UnitIn], summary="Đơn vị và phường phụ trách")
async def units(signed_in: Officer_, services: Services_) -> list[UnitIn]:
    async with services.database.sessions() as session:
        await ensure_units(services, session)
        rows = (await session.scalars(select(Unit).order_by(Unit.name))).all()
    return [UnitIn(code=u.code, name=u.name, wards=list(u.wards or []), is_default=u.is_default, active=u.active)
            for u in rows]


@router.put("/units/{code}", response_model=UnitIn, summary="(Quản trị) Tạo hoặc sửa đơn vị")
async def save_unit(code: str, body: UnitIn, signed_in: Admin_, request: Request, services: Services_) -> UnitIn:
    if body.code != code:
        raise refused(422, "invalid_request", "Mã đơn vị trong đường dẫn và nội dung phải trùng nhau.")
    async with services.database.sessions() as session:
        await ensure_units(services, session)
        unit = await session.get(Unit, code) or Unit(code=code)
        unit.name, unit.wards, unit.is_default, unit.active = body.name, body.wards, body.is_default, body.active
        session.add(unit)
        audit.record(session, "unit_saved", officer=signed_in.officer, detail={"unit_code": code}, request=request)
        await session.commit()
    return body


@router.get("/canned-replies", response_model=list[CannedOut], summary="Câu trả lời mẫu")
async def canned_replies(signed_in: Officer_, services: Services_) -> list[CannedOut]:
    officer = signed_in.officer
    query = select(CannedReply).order_by(CannedReply.title)
    if not signed_in.is_admin and officer.unit_code is not None:
        query = query.where(or_(CannedReply.unit_code.is_(None), CannedReply.unit_code == officer.unit_code))
    async with services.database.sessions() as session:
        rows = (await session.scalars(query)).all()
    return [CannedOut(id=r.id, title=r.title, text=r.text, unit_code=r.unit_code) for r in rows]


@router.post("/canned-replies", response_model=CannedOut, status_code=201, summary="(Quản trị) Thêm câu trả lời mẫu")
async def add_canned(body: CannedIn, signed_in: Admin_, request: Request, services: Services_) -> CannedOut:
    async with services.database.sessions() as session:
        row = CannedReply(title=body.title, text=body.text, unit_code=body.unit_code,
                          created_by=signed_in.officer.id)
        session.add(row)
        await session.flush()
        audit.record(session, "canned_reply_saved", officer=signed_in.officer, detail={"id": row.id},
                     request=request)
        await session.commit()
        return CannedOut(id=row.id, **body.model_dump())


@router.delete("/canned-replies/{reply_id}", status_code=204, summary="(Quản trị) Xóa câu trả lời mẫu")
async def delete_canned(reply_id: int, signed_in: Admin_, request: Request, services: Services_) -> Response:
    async with services.database.sessions() as session:
        row = await session.get(CannedReply, reply_id)
        if row is None:
            raise refused(404, "not_found", "Không có câu trả lời mẫu này.")
        await session.delete(row)
        audit.record(session, "canned_reply_deleted", officer=signed_in.officer, detail={"id": reply_id},
                     request=request)
        await session.commit()
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditOut], summary="(Quản trị) Nhật ký thao tác")
async def audit_log(signed_in: Admin_, services: Services_, conversation_id: str | None = None,
                    limit: int = Query(200, ge=1, le=1000)) -> list[AuditOut]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if conversation_id:
        query = query.where(AuditEntry.conversation_id == conversation_id)
    async with services.database.sessions() as session:
        rows = (await session.scalars(query)).all()
    return [AuditOut(id=r.id, created_at=r.created_at, username=r.username, action=r.action,
                     conversation_id=r.conversation_id, detail=r.detail, ip=r.ip) for r in rows]

