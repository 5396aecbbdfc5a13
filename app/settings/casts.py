"""The casts of the service's own variables that are its alone (the common ones, whole
numbers, URLs and the like, are in app/sources/variables.py): each refuses an unusable
value in the operator's words."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from app.sources import SOURCES
from app.sources.variables import Cast, SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _source_name(name: str, text: str) -> str:
    source = text.strip().lower()
    if source not in SOURCES:
        raise SettingsError(f"{name} must be one of {', '.join(SOURCES)}, got {source!r}")
    return source


# A name in app.sources.SOURCES, in any case.
SOURCE_NAME = Cast(_source_name)


def _origins(name: str, text: str) -> tuple[str, ...]:
    """Origins as browsers send them (`Origin: https://shop.example.com`), or `*`: any
    other form would never match, and the browser's refusals would be the only sign."""
    origins = tuple(origin.strip() for origin in text.split(",") if origin.strip())
    if "*" in origins and len(origins) > 1:
        raise SettingsError(f"{name} is either * or a list of origins, not both")
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        exact = f"{parts.scheme}://{parts.netloc}".lower()
        if parts.scheme not in ("http", "https") or not parts.netloc or origin != exact:
            like = f" (did you mean {exact!r}?)" if parts.netloc else ""
            raise SettingsError(
                f"{name}: {origin!r} never matches a browser's Origin, which reads"
                f" scheme://host[:port] in lower case, with no path or trailing slash{like}"
            )
    return origins


ORIGINS = Cast(_origins)


def _networks(name: str, text: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise SettingsError(
            f"{name} must list addresses or networks like 10.0.0.0/8, got {text!r}: {error}"
        ) from None


NETWORKS = Cast(_networks)
