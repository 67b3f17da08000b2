"""The settings of cybergov, read once from the environment (``CYBERGOV_*``), and where the
bundled data is.

Library code never reads the environment: it takes a :class:`Settings` (or
plain arguments) from its caller. The command line and the service build one
with :func:`load_settings` and pass it down.

The data folders (``ontology/``, ``kg/``, ``shapes/``, ``queries/``) are copied into
``cybergov/_data/`` in a wheel; in a checkout (an editable install included) they are
the folders at the root of the repository. :func:`data_root` finds them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cybergov.errors import DataNotFound, SettingsError

#: The name a token is given (it is recorded with each contribution, in an IRI).
TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: The shortest token accepted: a guessable token would let anyone write. 32 characters of
#: ``secrets.token_urlsafe`` carry 192 bits.
MIN_TOKEN_LENGTH = 32
#: The public URL of a service whose settings name none and that ``cybergov serve`` does not
#: run (an application made in a program or a test).
DEFAULT_PUBLIC_BASE = "http://127.0.0.1:8000"

Tokens = Annotated[dict[str, SecretStr], NoDecode]


def parse_tokens(value: object, *, setting: str) -> dict[str, str]:
    """Named tokens from ``name=token`` pairs (separated by commas or new lines) or a JSON
    object ``{"name": "token"}``.

    Raises:
        ValueError: a pair is malformed, a name is not a plain name, a token is too short,
            or a name or a token is given twice.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                raise ValueError(f"{setting} is not a valid JSON object: {error}") from None
        else:
            pairs: dict[str, str] = {}
            for part in filter(None, (p.strip() for p in re.split(r"[,\n]", text))):
                name, equals, token = part.partition("=")
                if not equals:
                    raise ValueError(
                        f"{setting}: write each token as name=token (the name is recorded with "
                        "what the token does), separated by commas"
                    )
                if name.strip() in pairs:
                    raise ValueError(f"{setting}: the name {name.strip()!r} is given twice")
                pairs[name.strip()] = token.strip()
            value = pairs
    if not isinstance(value, dict):
        raise ValueError(f"{setting} must be name=token pairs or a JSON object of them")
    tokens: dict[str, str] = {}
    for name, token in value.items():
        secret = token.get_secret_value() if isinstance(token, SecretStr) else str(token)
        if not isinstance(name, str) or not TOKEN_NAME.fullmatch(name):
            raise ValueError(
                f"{setting}: {name!r} is not a usable name (letters, digits, '.', '_' and '-', "
                "at most 64)"
            )
        if len(secret) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"{setting}: the token of {name!r} has {len(secret)} characters; a token needs "
                f"at least {MIN_TOKEN_LENGTH} (make one with python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        if secret in tokens.values():
            raise ValueError(f"{setting}: two names share one token; give each its own")
        tokens[name] = secret
    return tokens


class Settings(BaseSettings):
    """Every knob of cybergov, with the defaults a single machine wants."""

    model_config = SettingsConfigDict(env_prefix="CYBERGOV_", extra="ignore", frozen=True)

    store: Path | None = Field(
        default=None, description="Folder of the on-disk embedded store; in memory when unset."
    )
    endpoint: str | None = Field(
        default=None,
        description="SPARQL 1.1 query endpoint of a remote store, instead of the embedded one.",
    )
    update_endpoint: str | None = Field(
        default=None,
        description="SPARQL 1.1 update endpoint of the remote store (default: the query endpoint).",
    )
    graph_store_endpoint: str | None = Field(
        default=None, description="Graph Store Protocol endpoint of the remote store."
    )
    endpoint_username: str | None = Field(
        default=None,
        description="User the remote store's endpoints are called as (with endpoint_password); "
        "the server's anonymous account can then stay read-only.",
    )
    endpoint_password: SecretStr | None = Field(
        default=None, description="Password of endpoint_username (never shown or logged)."
    )
    endpoint_auth: Literal["basic", "digest"] = Field(
        default="basic",
        description="HTTP authentication the remote store asks for: basic, or digest "
        "(Virtuoso's /sparql-auth and /sparql-graph-crud-auth).",
    )
    query_timeout: float = Field(default=10.0, gt=0, description="Seconds a query may run.")
    max_rows: int = Field(
        default=10_000, gt=0, description="Rows a query may return before it is cut."
    )
    max_query_bytes: int = Field(default=100_000, gt=0, description="Largest SPARQL text accepted.")
    max_query_depth: int = Field(
        default=64, gt=0, description="Deepest nesting of groups accepted."
    )
    max_query_chain: int = Field(
        default=2_000,
        gt=0,
        description="Most operands (UNION, OPTIONAL, MINUS, operators) chained along a query.",
    )
    max_contribution_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest contribution accepted."
    )
    max_import_bytes: int = Field(
        default=100_000_000, gt=0, description="Largest file accepted by POST /imports/{source}."
    )
    max_literal_bytes: int = Field(
        default=100_000, gt=0, description="Longest literal accepted in a contribution."
    )
    max_contribution_depth: int = Field(
        default=64,
        gt=0,
        description="Deepest nesting of blank nodes, collections, JSON objects or XML elements "
        "accepted in a contribution.",
    )
    write_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a contribution or a withdrawal may take once validated (its "
        "derived facts worked out); past them it is refused (503) and nothing is stored.",
    )
    query_workers: int = Field(default=2, gt=0, description="Worker processes that run queries.")
    query_memory_bytes: int = Field(
        default=1_500_000_000,
        ge=0,
        description="Bytes of memory one query worker may take beyond the store it reads "
        "(an address-space limit); a query past them is stopped, its worker replaced, and "
        "it is answered 503 (0: no limit).",
    )
    max_answer_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="Bytes of one answer past which it is cut, as at the row limit.",
    )
    sparql_workers: int | None = Field(
        default=None,
        gt=0,
        description="Query workers ad-hoc SPARQL may hold at once (default: all but one, so "
        "that one is left to the named questions and the pages).",
    )
    sparql_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Niceness of the workers that run ad-hoc SPARQL (each is then replaced), so "
        "that named questions keep the processor (0: the same priority).",
    )
    client_queries: int = Field(
        default=2, gt=0, description="Ad-hoc SPARQL queries one client may run at once (429 past)."
    )
    client_query_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Seconds of ad-hoc SPARQL query time one client may use per minute "
        "(429 with Retry-After past them); a client is its token, else its address.",
    )
    queue_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds an ad-hoc SPARQL query may wait for a worker of its share "
        "(503 with Retry-After past them).",
    )
    answer_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Bytes of answers kept for identical queries until the store is next "
        "written to (embedded store only; 0 keeps none).",
    )
    contributor_tokens: Tokens = Field(
        default_factory=dict,
        description="Who may send contributions: name=token pairs separated by commas (or a "
        "JSON object); each accepted contribution records the name of the token it came with.",
    )
    admin_tokens: Tokens = Field(
        default_factory=dict,
        description="Who may withdraw contributions: name=token pairs, as for contributor_tokens.",
    )
    taxii_tokens: Tokens = Field(
        default_factory=dict,
        description="Who may read the TAXII 2.1 server: name=token pairs, as for "
        "contributor_tokens; when none is given, the TAXII server is open to anyone.",
    )
    read_only: bool = Field(
        default=False,
        description="Serve without writing: the on-disk store is opened read-only and not loaded.",
    )
    reload_data: bool = Field(
        default=False, description="Watch the data folders and load what changes while serving."
    )
    public_base: str | None = Field(
        default=None,
        description="The public URL of the service (https://cybergov.example.org, with the "
        "path it is mounted at), from which every absolute URL it writes is made, and the "
        "base IRI of its SPARQL endpoint; never taken from a request's Host header. When "
        "unset, cybergov serve uses the address it listens on.",
    )
    dump_dir: Path | None = Field(
        default=None,
        description="Where dumps are written once per graph version (default: a temporary folder).",
    )
    release_dir: Path | None = Field(
        default=None,
        description="Where releases are kept (default: releases/ beside the on-disk store, "
        "else in the working folder).",
    )

    @model_validator(mode="after")
    def _credentials_in_pairs(self) -> Settings:
        if (self.endpoint_username is None) != (self.endpoint_password is None):
            given, missing = (
                ("CYBERGOV_ENDPOINT_USERNAME", "CYBERGOV_ENDPOINT_PASSWORD")
                if self.endpoint_password is None
                else ("CYBERGOV_ENDPOINT_PASSWORD", "CYBERGOV_ENDPOINT_USERNAME")
            )
            raise ValueError(f"{given} is set but {missing} is not: give both or neither")
        return self

    @field_validator("public_base")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"CYBERGOV_PUBLIC_BASE must be an http or https URL, such as "
                f"https://cybergov.example.org, not {value!r}"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("CYBERGOV_PUBLIC_BASE may not hold a query, a fragment or credentials")
        return value.strip().rstrip("/")

    def base_url(self) -> str:
        """The public URL of the service, without a final slash (see ``public_base``)."""
        return self.public_base or DEFAULT_PUBLIC_BASE

    @field_validator("contributor_tokens", "admin_tokens", "taxii_tokens", mode="before")
    @classmethod
    def _named_tokens(cls, value: Any, info: Any) -> dict[str, str]:
        return parse_tokens(value, setting=f"CYBERGOV_{info.field_name.upper()}")


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment, with explicit overrides on top.

    Raises:
        SettingsError: a value from the environment or the overrides is invalid.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        # not chained: a validation error shows the values it was given, passwords included
        raise SettingsError(f"invalid settings: {problems}") from None


# --- where the data is ---------------------------------------------------------------------

#: The folders of the bundled data; ``shapes/`` may be missing (then nothing is validated).
DATA_FOLDERS = ("ontology", "kg", "shapes", "queries")
_REQUIRED_FOLDERS = ("ontology", "kg", "queries")


@cache
def data_root() -> Path:
    """The folder that holds ``ontology/``, ``kg/``, ``shapes/`` and ``queries/``.

    Raises:
        DataNotFound: neither the wheel's ``_data`` folder nor a checkout was found.
    """
    package = Path(__file__).resolve().parent
    candidates = (package / "_data", package.parent.parent)
    for candidate in candidates:
        if all((candidate / folder).is_dir() for folder in _REQUIRED_FOLDERS):
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise DataNotFound(f"the cybergov data folders were not found (looked in {tried})")


def data_folder(name: str, root: Path | None = None) -> Path:
    """One of the :data:`DATA_FOLDERS` of ``root`` (the bundled data by default)."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"{name!r} is not a data folder; they are {', '.join(DATA_FOLDERS)}")
    return (root or data_root()) / name
