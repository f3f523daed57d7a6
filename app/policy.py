"""The organisation's policy for a workstation: ``/etc/signpost/policy.json``, set by the LA's IT team.

A policy value wins over the user's setting and over the environment (issue 18 item 3). Every key is
optional; an absent file is no policy. The schema (also in the README, and as
``packaging/policy.example.json``)::

    {
      "directory_urls": ["https://directory.example.gov.uk"],  # the only directory services allowed; the
                                                                # user's directory_url if listed, else the first
      "ca_bundle": "/etc/signpost/ca.pem",        # the CA file the service's certificate must chain to
      "pkcs11_module": "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
      "idle_lock_minutes": 5,                     # 1..60
      "training_allowed": false                   # may the embedded training directory be used here?
    }

The file is checked at start. A key it does not know, a value of the wrong type or out of range, or a file
that is not JSON stops the app with a message naming the file and the key: Signpost never falls back to
the user's settings when the organisation's policy cannot be read. ``SIGNPOST_POLICY_FILE`` names another
file (tests, a staged roll-out).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import resources
from .paths import Paths
from .settings import Settings, directory_nodes, url_problem

DEFAULT_FILE = Path("/etc/signpost/policy.json")
ENVIRONMENT = "SIGNPOST_POLICY_FILE"
KEYS = ("directory_urls", "ca_bundle", "pkcs11_module", "idle_lock_minutes", "training_allowed")
ORGANISATION = "set by your organisation"


class PolicyError(ValueError):
    """The policy file cannot be used; the message names the file and the key and says who fixes it."""


@dataclass(frozen=True)
class Policy:
    source: Path | None = None  # the file read (None: no policy file)
    directory_urls: tuple[str, ...] = ()
    ca_bundle: str | None = None
    pkcs11_module: str | None = None
    idle_lock_minutes: int | None = None
    training_allowed: bool | None = None
    pinned: frozenset[str] = field(default=frozenset())  # the keys the file sets

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Policy:
        env = os.environ if environ is None else environ
        path = Path(env.get(ENVIRONMENT) or DEFAULT_FILE)
        try:
            raw_text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            raise _error(path, f"cannot be read ({exc.strerror or exc})") from None
        try:
            raw = json.loads(raw_text)
        except ValueError as exc:
            raise _error(path, f"is not valid JSON ({exc})") from None
        if not isinstance(raw, dict):
            raise _error(path, "must hold one JSON object, like the example in the README")
        return cls.parse(raw, path)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], path: Path) -> Policy:
        unknown = sorted(set(raw) - set(KEYS))
        if unknown:
            raise _error(path, f"has a key Signpost does not know: {unknown[0]!r} (it knows {', '.join(KEYS)})")
        values: dict[str, Any] = {}
        for key in KEYS:
            if key in raw:
                values[key] = _checked(key, raw[key], path)
        return cls(source=path, pinned=frozenset(values), **values)

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with every value this policy sets put in its place (the user's file is not changed)."""
        out = replace(settings)
        out._file_values = dict(settings._file_values)  # save() writes the user's own values, not these
        pinned = set()
        if self.directory_urls:
            wanted = settings.directory_url if settings.directory_url in self.directory_urls else self.directory_urls[0]
            pinned.add("directory_url")
            self._pin(out, "directory_url", wanted, settings)
        for name in ("ca_bundle", "pkcs11_module", "idle_lock_minutes"):
            value = getattr(self, name)
            if value is not None:
                pinned.add(name)
                self._pin(out, name, value, settings)
        if self.training_allowed is not None:
            pinned.add("training_allowed")
            out.training_allowed = self.training_allowed
        out.pinned = frozenset(pinned)
        return out

    @staticmethod
    def _pin(out: Settings, name: str, value: Any, settings: Settings) -> None:
        out._file_values.setdefault(name, getattr(settings, name))
        setattr(out, name, value)


def _checked(key: str, value: Any, path: Path) -> Any:
    def bad(why: str) -> PolicyError:
        return _error(path, f"has a bad value for {key!r}: {why}")

    if key == "directory_urls":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise bad("expected a list of one or more https:// addresses")
        for url in value:
            for node in directory_nodes(url) or (url,):  # an entry may name several nodes of one service
                problem = url_problem(node)
                if problem:
                    raise bad(f"{node!r} {problem}")
        return tuple(value)
    if key in ("ca_bundle", "pkcs11_module"):
        if not isinstance(value, str) or not os.path.isabs(value) or "\x00" in value:
            raise bad("expected the absolute path of a file, e.g. /etc/signpost/ca.pem")
        return value
    if key == "idle_lock_minutes":
        if type(value) is not int or not 1 <= value <= 60:
            raise bad("expected a whole number of minutes from 1 to 60")
        return value
    if type(value) is not bool:  # training_allowed
        raise bad("expected true or false")
    return value


def _error(path: Path, what: str) -> PolicyError:
    return PolicyError(f"The organisation's policy file {path} {what}. Signpost will not start until it is "
                       "corrected: ask your IT team.")


def load_settings(paths: Paths, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings Signpost runs with: the user's file and the environment, then the organisation's policy
    on top. A policy that cannot be used is kept as ``settings.problem`` (the app shows it and goes no
    further); it never falls back to the user's settings."""
    settings = Settings.load(paths.settings_file, environ)
    try:
        policy = Policy.load(environ)
    except PolicyError as exc:
        settings.problem = str(exc)
        return settings
    return policy.apply(settings)


def start_problem(settings: Settings) -> str:
    """Why Signpost cannot open a directory with ``settings`` ("" when it can)."""
    if settings.problem:
        return settings.problem
    if settings.directory_url:
        return ""
    if not settings.training_allowed:
        return ("Your organisation does not allow the training directory on this workstation, and no directory "
                "service is set. Ask your IT team to set the directory address in the policy file.")
    if not resources.training_available():
        return ("This installation has no training directory, and no directory service is set. Ask your IT "
                "team to set the directory address, or to install the training package (signpost-training) on a "
                "training workstation.")
    return ""


def source(settings: Settings, name: str) -> str:
    """Where a setting's value comes from, in words: the organisation, or the user's own settings."""
    return ORGANISATION if name in settings.pinned else "your settings"
