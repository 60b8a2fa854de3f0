"""People who sign in, their passwords (argon2, pwdlib) and the API tokens other systems use.

Here, in storage, so the command line (flows) and the web application both use it. A token is
shown once when made; only its sha256 is kept, so a stolen database gives no working token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from schemas.models import ApiToken, User, utcnow
from schemas.status import Role

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "hoso_"


class UserError(ValueError):
    """A user or token cannot be created or changed as asked (the message says why)."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise UserError("password starts or ends with a space")


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when the password matches. With no hash (unknown user) a dummy check is made, so
    an unknown name takes as long to refuse as a wrong password."""
    if not password_hash:
        _hasher().verify(password, _dummy_hash())
        return False
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # noqa: BLE001  (a damaged hash refuses, never raises into a sign-in)
        return False


def user_by_name(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def all_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))))


def _check_unit(role: Role, unit_id: int | None) -> None:
    if role == Role.clerk and unit_id is None:
        raise UserError("a clerk needs a unit (--unit CODE): a clerk reaches only their unit")


def create_user(session: Session, username: str, password: str, role: Role, unit_id: int | None,
                full_name: str = "") -> User:
    name = username.strip().lower()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-" for c in name):
        raise UserError(f"bad username {username!r}: letters, digits, '.', '_' or '-', at most 64")
    if user_by_name(session, name) is not None:
        raise UserError(f"user {name!r} already exists")
    _check_unit(role, unit_id)
    check_password_strength(password)
    user = User(username=name, full_name=full_name.strip(), password_hash=hash_password(password),
                role=role, unit_id=unit_id)
    session.add(user)
    session.flush()
    return user


def set_role(user: User, role: Role, unit_id: int | None) -> None:
    _check_unit(role, unit_id)
    user.role, user.unit_id = role, unit_id


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user: the row (with only the hash) and the token, to show once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip(), token_sha256=token_sha256(token))  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return row, token


def tokens(session: Session) -> list[tuple[ApiToken, User]]:
    rows = session.exec(select(ApiToken, User).join(User, col(User.id) == ApiToken.user_id)
                        .order_by(col(ApiToken.id)))
    return list(rows.all())  # type: ignore[arg-type]


def revoke_token(session: Session, token_id: int, at: datetime | None = None) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise UserError(f"no token with id {token_id} (see `hoso tokens list`)")
    if row.revoked_at is None:
        row.revoked_at = at or utcnow()
        session.add(row)
    return row


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a token acts as; None for an unknown, revoked or disabled one."""
    if not token:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_sha256 == token_sha256(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None
