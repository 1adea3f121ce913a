"""Field rules shared by every format: pydantic types that enforce the data model, and readable errors.

Models are strict (a JSON number is never accepted as text) and forbid unknown keys, so a typo such as
`statment` is refused instead of silently dropping data.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
)

from bot.claims import (
    CLAIM_ID_PATTERN,
    MAX_ALIAS,
    MAX_NOTE,
    MAX_PARTY,
    MAX_PUBLISHER,
    MAX_QUOTE,
    MAX_SOURCE_TITLE,
    MAX_TEXT,
    MAX_URL,
    Stance,
    Statement,
    Status,
)
from bot.formats.errors import Problems

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# A Discord snowflake fits a signed 64-bit column.
_MAX_GUILD_ID = 2**63 - 1

T = TypeVar("T")


def _clean(value: str) -> str:
    """Strip surrounding whitespace; refuse control characters other than tab/newline, and lone surrogates."""
    value = value.strip()
    for char in value:
        if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs"):
            raise ValueError(f"contains a control character (U+{ord(char):04X})")
    return value


def _check_length(value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"is {len(value)} characters long, at most {limit} allowed")
    return value


def _required_text(limit: int) -> Any:
    def check(value: str) -> str:
        value = _clean(value)
        if not value:
            raise ValueError("must not be empty")
        return _check_length(value, limit)

    return Annotated[str, AfterValidator(check)]


def _optional_text(limit: int) -> Any:
    """Null, absent and blank all mean "not given"."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        value = _clean(value)
        return _check_length(value, limit) if value else None

    return Annotated[str | None, AfterValidator(check)]


def _claim_id(value: str) -> str:
    value = value.strip()
    if not CLAIM_ID_PATTERN.match(value):
        raise ValueError(
            f"{show(value)} is not a valid id "
            "(1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit)"
        )
    return value


def parse_date(value: Any) -> date | None:
    """An ISO date; a datetime string is accepted and keeps its date as written."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a date string (YYYY-MM-DD), got {kind(value)}")
    text = value.strip()
    if not text:
        return None
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        if _ISO_DATETIME.match(text):
            return datetime.fromisoformat(text).date()
    except ValueError as error:
        raise ValueError(f"{show(text)} is not a real date ({error})") from None
    raise ValueError(f"{show(text)} is not an ISO date (YYYY-MM-DD)")


def _web_url(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a URL string, got {kind(value)}")
    url = _clean(value)
    if not url:
        return None
    _check_length(url, MAX_URL)
    if any(char.isspace() for char in url):
        raise ValueError(f"{show(url)} contains whitespace")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises on a malformed port
    except ValueError:
        raise ValueError(f"{show(url)} is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{show(url)} is not an http(s) URL")
    if not host:
        raise ValueError(f"{show(url)} has no host")
    return url


def _enum_parser(enum: type[StrEnum]) -> Callable[[Any], StrEnum]:
    choices = ", ".join(enum)

    def parse(value: Any) -> StrEnum:
        if not isinstance(value, str):
            raise ValueError(f"expected one of {choices}, got {kind(value)}")
        try:
            return enum(value.strip())
        except ValueError:
            raise ValueError(f"{show(value)} is not one of {choices}") from None

    return parse


def _guild_id(value: int | None) -> int | None:
    if value is not None and not 0 < value <= _MAX_GUILD_ID:
        raise ValueError(f"{value} is not a Discord server id")
    return value


def _dedupe_aliases(aliases: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for alias in aliases:
        key = " ".join(alias.casefold().split())
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return tuple(kept)


ClaimId = Annotated[str, AfterValidator(_claim_id)]
ClaimText = _required_text(MAX_TEXT)
Party = _required_text(MAX_PARTY)
Alias = _required_text(MAX_ALIAS)
Note = _optional_text(MAX_NOTE)
Quote = _optional_text(MAX_QUOTE)
SourceTitle = _optional_text(MAX_SOURCE_TITLE)
Publisher = _optional_text(MAX_PUBLISHER)
WebUrl = Annotated[str | None, PlainValidator(_web_url)]
IsoDate = Annotated[date | None, PlainValidator(parse_date)]
StatusField = Annotated[Status, PlainValidator(_enum_parser(Status))]
StanceField = Annotated[Stance, PlainValidator(_enum_parser(Stance))]
GuildId = Annotated[int | None, AfterValidator(_guild_id)]
Aliases = Annotated[list[Alias], AfterValidator(_dedupe_aliases)]


class StrictModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class StatementModel(StrictModel):
    party: Party
    stance: StanceField
    stated_on: IsoDate = None
    quote: Quote = None
    source_url: WebUrl = None
    source_title: SourceTitle = None
    publisher: Publisher = None

    def to_domain(self) -> Statement:
        return Statement(**dict(self))


class ClaimModel(StrictModel):
    """One claim as written in a claims/v1 file."""

    id: ClaimId
    text: ClaimText
    status: StatusField
    aliases: Aliases = Field(default=())
    note: Note = None
    statements: list[StatementModel] = Field(default_factory=list)
    guild_id: GuildId = None
    archived: bool = False


# Adapters for checking single values in formats whose field names differ from ours.
_STRICT = ConfigDict(strict=True)
text_adapter: TypeAdapter[str] = TypeAdapter(ClaimText, config=_STRICT)
party_adapter: TypeAdapter[str] = TypeAdapter(Party, config=_STRICT)
aliases_adapter: TypeAdapter[tuple[str, ...]] = TypeAdapter(Aliases, config=_STRICT)
note_adapter: TypeAdapter[str | None] = TypeAdapter(Note, config=_STRICT)
date_adapter: TypeAdapter[date | None] = TypeAdapter(IsoDate)
url_adapter: TypeAdapter[str | None] = TypeAdapter(WebUrl)
guild_id_adapter: TypeAdapter[int | None] = TypeAdapter(GuildId, config=_STRICT)
strict_bool_adapter: TypeAdapter[bool] = TypeAdapter(bool, config=_STRICT)
statements_adapter: TypeAdapter[list[StatementModel]] = TypeAdapter(list[StatementModel], config=_STRICT)


def validate(adapter: TypeAdapter[T], value: Any, where: str, path: str, problems: Problems) -> T | None:
    """Validate one value; on failure record readable problems under `where` and `path`, return None."""
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        for line in describe_errors(error, path):
            problems.add(f"{where}: {line}")
        return None


def validate_model(model: type[T], value: Any, where: str, problems: Problems) -> T | None:
    try:
        return model.model_validate(value)  # type: ignore[attr-defined]
    except ValidationError as error:
        for line in describe_errors(error, ""):
            problems.add(f"{where}: {line}")
        return None


# -- readable errors ------------------------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
}


def describe_errors(error: ValidationError, prefix: str) -> list[str]:
    """Turn pydantic errors into `field.path: problem` lines."""
    lines = []
    for item in error.errors(include_url=False):
        path = _join_path(prefix, item["loc"])
        error_type = item["type"]
        if error_type in _TYPE_WORDS:
            problem = f"{_TYPE_WORDS[error_type]}, got {kind(item['input'])}"
        elif error_type == "missing":
            problem = "is required"
        elif error_type == "extra_forbidden":
            problem = "is not a known field"
        elif error_type == "value_error":
            problem = str(item["ctx"]["error"]) if "ctx" in item else item["msg"]
        else:
            problem = item["msg"]
        lines.append(f"{path}: {problem}" if path else problem)
    return lines


def _join_path(prefix: str, loc: tuple[int | str, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def kind(value: Any) -> str:
    """A short description of a JSON value for messages, never the whole (possibly huge) value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {show(value)}"
    if isinstance(value, str):
        return f"the string {show(value)}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def show(value: Any, limit: int = 60) -> str:
    """repr() of a scalar, shortened, safe to put in a one-line message."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    text = repr(value)
    return text if len(text) <= limit + 2 else text[:limit] + "..."


def read_json(data: bytes, max_bytes: int) -> Any:
    """Decode untrusted bytes to JSON values; every failure becomes a ValueError with a readable message."""
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data):,} bytes, larger than the {max_bytes:,} byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"the file is not UTF-8 text (invalid byte at offset {error.start})") from None
    if "\x00" in text:
        raise ValueError("the file is binary, not JSON text (it contains NUL bytes)")
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise ValueError(f"the file is not valid JSON: {error.msg} ({where})") from None
    except RecursionError:
        raise ValueError("the file is nested too deeply to be a claims file") from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the file is not valid JSON: key {show(key)} appears twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"the file is not valid JSON: {name} is not allowed")
