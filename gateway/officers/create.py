"""Create an officer account (the first admin too): there is no default password.

    python -m gateway.officers.create --username an --role admin [--display-name "Nguyễn An"] [--unit ca_phan_rang]
    printf '%s\n' "$PASSWORD" | python -m gateway.officers.create --username an --password-stdin

Without --password-stdin the password is asked twice with getpass (not echoed, not in shell history).
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from sqlalchemy import func, select

from gateway.db.models import Officer
from gateway.db.session import Database
from gateway.officers import models as _officer_models  # noqa: F401 — registers the officer tables
from gateway.officers.auth import ROLES, WeakPasswordError, hash_password
from gateway.settings import load_settings


class CreateError(RuntimeError):
    """Raised when the account cannot be created; the message says why, in words for the operator."""


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise CreateError("hai lần nhập mật khẩu không khớp")
    if not password:
        raise CreateError("mật khẩu trống")
    return password


async def create_officer(database: Database, *, username: str, password: str, role: str,
                         display_name: str | None = None, unit_code: str | None = None) -> Officer:
    if role not in ROLES:
        raise CreateError(f"vai trò phải là một trong: {', '.join(ROLES)}")
    username = username.strip()
    if not username:
        raise CreateError("tên đăng nhập trống")
    try:
        password_hash = hash_password(password)
    except WeakPasswordError as error:
        raise CreateError(str(error)) from error
    async with database.sessions() as session:
        taken = await session.scalar(select(Officer.id).where(func.lower(Officer.username) == username.lower()))
        if taken is not None:
            raise CreateError(f"tên đăng nhập {username!r} đã có")
        officer = Officer(username=username, display_name=display_name or username, password_hash=password_hash,
                          role=role, unit_code=unit_code, active=True, failed_logins=0)
        session.add(officer)
        await session.commit()
        return officer


async def _main(args: argparse.Namespace) -> int:
    password = read_password(args.password_stdin)
    settings = load_settings()
    database = Database(settings.database_url)
    try:
        await database.start(wait_seconds=settings.db_wait_seconds)
        officer = await create_officer(database, username=args.username, password=password, role=args.role,
                                       display_name=args.display_name, unit_code=args.unit)
    finally:
        await database.dispose()
    print(f"Đã tạo tài khoản {officer.username} (vai trò {officer.role}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.officers.create", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--username", required=True)
    parser.add_argument("--role", choices=ROLES, default="officer")
    parser.add_argument("--display-name")
    parser.add_argument("--unit", help="mã đơn vị (config/units.yml)")
    parser.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except CreateError as error:
        print(f"Không tạo được tài khoản: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
