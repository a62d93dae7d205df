"""Strict readers for settings taken from the environment: a bad value stops start-up with a clear message."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "on"}
_FALSE = {"false", "0", "off"}

_env = environ.Env()


def env_str(name: str, default: str | None = None) -> str:
    """Return a string setting; without a default the variable is required."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean; only true/false/1/0/on/off are accepted, anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer, refusing text and values below `minimum`."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a whole number.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={value} is below {minimum}.")
    return value


def env_list(name: str, default: list[str], *, allowed: Iterable[str] | None = None) -> list[str]:
    """Return a comma-separated list with blanks removed; with `allowed`, every item must be one of them."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    unknown = sorted(set(items) - set(allowed)) if allowed is not None else []
    if unknown:
        raise ImproperlyConfigured(f"Environment variable {name}: unknown value(s) {', '.join(unknown)}.")
    return items


def env_networks(name: str, default: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Return a comma-separated list of addresses and CIDR ranges (10.0.0.5, 10.0.0.0/8, fd00::/8); an item
    that is neither, or a range with host bits set (10.0.0.1/8), is an error."""
    raw = os.environ.get(name)
    items = default if raw is None else [item.strip() for item in raw.split(",") if item.strip()]
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"Environment variable {name}: {item!r} is not an IP address or network ({exc})."
            ) from exc
    return tuple(networks)


def env_pairs(
    name: str, default: dict[str, str], allowed: dict[str, set[str]] | None = None
) -> dict[str, str]:
    """Read `key=value,key=value`; with `allowed`, each key and its value must be among the listed ones."""
    raw = os.environ.get(name)
    if raw is None:
        return dict(default)
    pairs: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in raw.split(","))):
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise ImproperlyConfigured(
                f"Environment variable {name}: expected key=value pairs, got {part!r}."
            )
        if allowed is not None and (key not in allowed or value not in allowed[key]):
            raise ImproperlyConfigured(f"Environment variable {name}: {part!r} is not allowed.")
        pairs[key] = value
    return {**default, **pairs}


def env_database(name: str, default: str) -> dict[str, Any]:
    """Parse a database URL; a percent-encoded host such as %2Fpath%2Fto%2Fsocket is a socket folder."""
    url = os.environ.get(name, default)
    try:
        config: dict[str, Any] = _env.db_url_config(url)
    except Exception as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is not a database URL.") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL (postgres://...).")
    host = config.get("HOST") or ""
    if host.startswith("%2F") or host.startswith("%2f"):
        config["HOST"] = unquote(host)
    return config


def env_keys(name: str, default: dict[str, bytes], *, lengths: set[int]) -> dict[str, bytes]:
    """Read `id=base64key,id=base64key`; each id is short and plain, each key decodes to one of `lengths` bytes."""
    raw = os.environ.get(name)
    if raw is None:
        return dict(default)
    keys: dict[str, bytes] = {}
    for key_id, encoded in env_pairs(name, {}).items():
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,16}", key_id):
            raise ImproperlyConfigured(
                f"Environment variable {name}: key id {key_id!r} must be 1-16 letters, digits, - or _."
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"Environment variable {name}: key {key_id!r} is not base64.") from exc
        if len(key) not in lengths:
            expected = " or ".join(str(n) for n in sorted(lengths))
            raise ImproperlyConfigured(
                f"Environment variable {name}: key {key_id!r} is {len(key)} bytes; expected {expected}."
            )
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured(f"Environment variable {name} lists no key.")
    return keys


def database_url(config: dict[str, Any]) -> str:
    """The URL of a database's settings (the reverse of `env_database`), for a process started with it."""
    credentials = quote(config.get("USER") or "", safe="")
    if config.get("PASSWORD"):
        credentials += ":" + quote(config["PASSWORD"], safe="")
    host = quote(config.get("HOST") or "", safe="")
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{config['NAME']}"
