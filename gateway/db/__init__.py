"""Persistence: SQLAlchemy 2 models, the async engine/session factory, Alembic migrations."""
from gateway.db.models import (
    Base,
    Contact,
    ContactIdentity,
    Conversation,
    InboundDelivery,
    Message,
    Officer,
)
from gateway.db.session import Database

__all__ = [
    "Base", "Contact", "ContactIdentity", "Conversation", "Database", "InboundDelivery", "Message",
    "Officer",
]
