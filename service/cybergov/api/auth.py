"""Bearer tokens: who sends a contribution, who may withdraw one.

Tokens come from the settings as named pairs (``CYBERGOV_CONTRIBUTOR_TOKENS``,
``CYBERGOV_ADMIN_TOKENS``); the name of the token a request carries is recorded
with what it does. A token is compared with every configured one, through
their SHA-256 digests with :func:`hmac.compare_digest`, so that the time taken
says nothing of which token, or how much of one, matched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from cybergov.api.deps import ServiceDep
from cybergov.api.service import Service
from cybergov.errors import AccessDenied, AuthenticationRequired, ReadOnly


def bearer_token(request: Request) -> str:
    """The token of the request's ``Authorization: Bearer`` header.

    Raises:
        AuthenticationRequired: no Authorization header, another scheme, or no token.
    """
    header = request.headers.get("authorization")
    if not header:
        raise AuthenticationRequired(
            "this request needs a bearer token: send 'Authorization: Bearer <token>'"
        )
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationRequired("the Authorization header must be 'Bearer <token>' (RFC 6750)")
    return token.strip()


def token_name(token: str, tokens: Mapping[str, SecretStr]) -> str | None:
    """The name of the configured token equal to ``token``, compared in constant time."""
    given = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
    found = None
    for name, secret in tokens.items():
        expected = hashlib.sha256(secret.get_secret_value().encode()).digest()
        if hmac.compare_digest(given, expected):
            found = name  # no early exit: every token is compared
    return found


def client_of(request: Request, service: Service) -> str:
    """Who a query is counted against: a configured token by its name, else the address
    the request came from (a token nobody configured counts for nothing, so that a client
    cannot make itself new budgets)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        settings = service.settings
        for kind, tokens in (
            ("admin", settings.admin_tokens),
            ("token", settings.contributor_tokens),
        ):
            name = token_name(token.strip(), tokens)
            if name is not None:
                return f"{kind}:{name}"
    return f"address:{request.client.host if request.client else 'unknown'}"


def _authorise(request: Request, tokens: Mapping[str, SecretStr], *, what: str) -> str:
    name = token_name(bearer_token(request), tokens)
    if name is None:
        raise AccessDenied(f"the bearer token is not allowed to {what}")
    return name


async def contributor(request: Request, service: ServiceDep) -> str:
    """The name of the contributor token the request carries.

    Raises:
        ReadOnly: the service does not write (read-only, or several server processes).
        AccessDenied: no contributor token is configured, or the token is not one of them.
        AuthenticationRequired: the request carries no bearer token.
    """
    if not service.writable:
        raise ReadOnly(
            "this service is read-only (it serves a store opened read-only, or runs several "
            "server processes): it accepts no contributions"
        )
    tokens = service.settings.contributor_tokens
    if not tokens:
        raise AccessDenied(
            "this service accepts no contributions: no contributor token is configured "
            "(CYBERGOV_CONTRIBUTOR_TOKENS)"
        )
    return _authorise(request, tokens, what="send contributions")


async def administrator(request: Request, service: ServiceDep) -> str:
    """The name of the admin token the request carries.

    Raises:
        ReadOnly: the service does not write.
        AccessDenied: no admin token is configured, or the token is not one of them.
        AuthenticationRequired: the request carries no bearer token.
    """
    if not service.writable:
        raise ReadOnly("this service is read-only: nothing can be withdrawn through it")
    tokens = service.settings.admin_tokens
    if not tokens:
        raise AccessDenied(
            "this service withdraws no contributions: no admin token is configured "
            "(CYBERGOV_ADMIN_TOKENS)"
        )
    return _authorise(request, tokens, what="withdraw contributions")


def _taxii_credentials(request: Request) -> tuple[str | None, str]:
    """The user name (Basic only) and the token of a TAXII request: ``Bearer <token>``,
    ``Token <token>`` (as taxii2-client's ``TokenAuth`` sends it), or Basic with the token's
    name as the user and the token as the password (as ``Server(url, user=, password=)``).

    Raises:
        AuthenticationRequired: no usable Authorization header.
    """
    header = (request.headers.get("authorization") or "").strip()
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return None, value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user, colon, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, colon, password = "", "", ""
        if colon:
            return user, password
    raise AuthenticationRequired(
        "this TAXII server needs a token: send 'Authorization: Bearer <token>', or Basic "
        "with the token's name as the user and the token as the password"
    )


def taxii_reader(request: Request, tokens: Mapping[str, SecretStr]) -> str | None:
    """The name of the TAXII token the request carries, or ``None`` when the TAXII server is
    open (no ``CYBERGOV_TAXII_TOKENS``).

    Raises:
        AuthenticationRequired: tokens are configured and the request carries none.
        AccessDenied: the token is not one of them (or not the Basic user's).
    """
    if not tokens:
        return None
    user, token = _taxii_credentials(request)
    name = token_name(token, tokens)
    if name is None or (user is not None and user != name):
        raise AccessDenied("the token is not allowed to read this TAXII server")
    return name


Contributor = Annotated[str, Depends(contributor)]
Administrator = Annotated[str, Depends(administrator)]
