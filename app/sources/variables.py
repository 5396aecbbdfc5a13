"""An environment variable declared once: its name, how its text is read (and an unusable one
refused in the operator's words), its default and what it means.

The service's own variables are declared in app/settings/variables.py, each source's in its
own module, and tied to a field of a frozen dataclass with `setting()`: app.settings reads
them into `Settings`, and the README's configuration table and `downloads-api check` say
what they are from the same declarations. The vocabulary lives here, under the sources, so
that the sources declare theirs without importing app.settings, which lists them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
W = TypeVar("W", bound=str)

# Where a dataclass field keeps the variable it is read from (`setting()`).
_VARIABLE = "variable"


class SettingsError(Exception):
    """A configuration value is unusable; the message names the variable.

    Not a ValueError: the entry points print these words, one line, and exit 2, while a
    ValueError from anywhere else is a bug with a traceback."""


def written(value: object) -> str:
    """A value as an operator writes it in the environment: `true`, `5`, `a,b`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return ",".join(written(item) for item in value)
    return str(value)


# scheme://user:password@: the password runs to the last @ before the query (SQLAlchemy's
# make_url, which reads DATABASE_URL, lets it hold a /).
_PASSWORD = re.compile(r"^(?P<user>[^:/?#]+://[^:/@?]*):[^?]*@")


def without_password(url: str | None) -> str:
    """A URL as written, with its password (in the authority, or a `password` parameter)
    replaced by `***`."""
    if not url:
        return ""
    base, question, query = url.partition("?")
    base = _PASSWORD.sub(r"\g<user>:***@", base)
    parameters = [
        "password=***" if part.partition("=")[0] == "password" else part
        for part in query.split("&")
    ]
    return f"{base}{question}{'&'.join(parameters)}"


@dataclass(frozen=True)
class Cast(Generic[T]):
    """How a variable's text becomes its value. `read(name, text)` raises SettingsError,
    naming the variable, for a text it cannot use; `write` says a value back as an operator
    may read it (a password hidden)."""

    read: Callable[[str, str], T]
    write: Callable[[T], str] = written


@dataclass(frozen=True)
class Variable(Generic[T]):
    """One environment variable: the README's configuration table is made of `name`, `help`
    and the default (`default_text` where words say it better than the value)."""

    name: str
    cast: Cast[T]
    default: T
    help: str
    default_text: str = ""
    # Never shown, not even by `downloads-api check`: a key, not a URL with a password.
    secret: bool = False

    def read(self, text: str) -> T:
        return self.cast.read(self.name, text)

    def shown(self, value: T) -> str:
        """The value for an operator's eyes: secrets as `***`, URLs without a password."""
        return "***" if self.secret else self.cast.write(value)

    @property
    def described_default(self) -> str:
        if self.default_text:
            return self.default_text
        value = self.cast.write(self.default)
        return f"`{value}`" if value else "none"


def setting(variable: Variable[T]) -> T:
    """A dataclass field read from `variable`, its default the variable's:
    `max_page_size: int = setting(MAX_PAGE_SIZE)`. (A `dataclasses.Field` at run time; typed
    as the value, as `dataclasses.field` is.) A secret is left out of the repr."""
    return dataclasses.field(
        default=variable.default, repr=not variable.secret, metadata={_VARIABLE: variable}
    )


def declared(kind: Any) -> tuple[Variable[Any], ...]:
    """The variables a dataclass's fields are read from, in the fields' order."""
    return tuple(fields_read_from(kind).values())


def fields_read_from(kind: Any) -> dict[str, Variable[Any]]:
    """Each field of a dataclass declared with `setting()`, and its variable."""
    return {
        field.name: field.metadata[_VARIABLE]
        for field in dataclasses.fields(kind)
        if _VARIABLE in field.metadata
    }


# The casts. Each refuses in the same words for every variable, naming it.


def as_written() -> Cast[str]:
    """The text exactly as written."""
    return Cast(lambda name, text: text)


def stripped_or_none() -> Cast[str | None]:
    """The text without surrounding blanks; None when nothing is left."""
    return Cast(lambda name, text: text.strip() or None)


def names() -> Cast[tuple[str, ...]]:
    """Comma-separated names, blanks around them and empty ones dropped."""
    return Cast(lambda name, text: tuple(part.strip() for part in text.split(",") if part.strip()))


def whole_number(minimum: int = 0, *, one_of: tuple[int, ...] = ()) -> Cast[int]:
    def read(name: str, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {text!r}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        if one_of and value not in one_of:
            allowed = " or ".join(str(number) for number in one_of)
            raise SettingsError(f"{name} must be {allowed}, got {value}")
        return value

    return Cast(read)


def number(*, at_most: float | None = None) -> Cast[float]:
    """A number, not negative; with `at_most`, more than 0 and at most that."""

    def read(name: str, text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {text!r}") from None
        if value < 0:
            raise SettingsError(f"{name} must not be negative, got {value}")
        if at_most is not None and not 0 < value <= at_most:
            raise SettingsError(
                f"{name} must be more than 0 and at most {at_most:g}, got {value:g}"
            )
        return value

    return Cast(read)


def boolean() -> Cast[bool]:
    def read(name: str, text: str) -> bool:
        word = text.strip().lower()
        if word not in ("true", "false", "1", "0"):
            raise SettingsError(f"{name} must be true or false, got {word!r}")
        return word in ("true", "1")

    return Cast(read)


def choice(*allowed: W) -> Cast[W]:
    """One of `allowed`, in any case (they are all upper or all lower case)."""

    def read(name: str, text: str) -> W:
        word = text.strip()
        value = word.upper() if allowed[0].isupper() else word.lower()
        for option in allowed:
            if option == value:
                return option
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {word!r}")

    return Cast(read)


def url(schemes: tuple[str, ...], refusal: str, *, trailing: str = "") -> Cast[str | None]:
    """A URL starting with one of `schemes`, or None when blank; `refusal` is formatted
    with `url` (and `name`). Shown without its password."""

    def read(name: str, text: str) -> str | None:
        value = text.strip().rstrip(trailing) or None
        if value and not value.startswith(schemes):
            raise SettingsError(refusal.format(name=name, url=value))
        return value

    return Cast(read, without_password)
