"""The settings of cybergov, read once from the environment (``CYBERGOV_*``).

Library code never reads the environment: it takes a :class:`Settings` (or
plain arguments) from its caller. The command line and the service build one
with :func:`load_settings` and pass it down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from cybergov.errors import SettingsError


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
    max_literal_bytes: int = Field(
        default=100_000, gt=0, description="Longest literal accepted in a contribution."
    )
    max_contribution_depth: int = Field(
        default=64,
        gt=0,
        description="Deepest nesting of blank nodes, collections, JSON objects or XML elements "
        "accepted in a contribution.",
    )
    query_workers: int = Field(default=2, gt=0, description="Worker processes that run queries.")
    contributor_tokens: tuple[SecretStr, ...] = Field(
        default=(), description="Bearer tokens allowed to send contributions."
    )
    admin_tokens: tuple[SecretStr, ...] = Field(
        default=(), description="Bearer tokens allowed to withdraw contributions."
    )
    public_base: str = Field(
        default="https://w3id.org/cybergov/", description="The public base IRI of resources."
    )
    read_only: bool = Field(
        default=False,
        description="Serve without writing: the on-disk store is opened read-only and not loaded.",
    )
    reload_data: bool = Field(
        default=False, description="Watch the data folders and load what changes while serving."
    )
    dump_dir: Path | None = Field(
        default=None,
        description="Where dumps are written once per graph version (default: a temporary folder).",
    )


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
        raise SettingsError(f"invalid settings: {problems}") from error
