"""User settings: a small JSON file in the config folder.

Unknown keys are ignored and bad values fall back to the default with a
logged warning, so a hand-edited file can never stop the app starting.

Which directory the app talks to:

- ``directory_url``: empty (the default) for the embedded training directory,
  or the ``https://`` address of the directory service, e.g.
  ``https://127.0.0.1:8443`` for an LA training server started with
  ``make serve``. Plain ``http://`` is never accepted.
- ``ca_bundle``: the path of the CA certificate file (PEM) the service's
  certificate is checked against; needed with a ``directory_url``.
- ``record_cache_hours``: how long a record the user opened stays readable
  offline in the encrypted cache (R-LOCAL-2), 1 to 168 hours, default 24.

Environment variables override the file (and are never written back to it):
``SIGNPOST_DIRECTORY_URL`` for ``directory_url`` and ``SIGNPOST_CA_BUNDLE``
for ``ca_bundle``; a bad value is ignored with a warning, like a bad file value.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

ENVIRONMENT = {"directory_url": "SIGNPOST_DIRECTORY_URL", "ca_bundle": "SIGNPOST_CA_BUNDLE"}


@dataclass
class Settings:
    idle_lock_minutes: int = 10
    pkcs11_module: str = ""  # empty: SIGNPOST_PKCS11_MODULE, then the usual OpenSC / SoftHSM paths
    training_children: int = 20_000
    directory_url: str = ""  # empty: the embedded training directory; else the service's https:// address
    ca_bundle: str = ""  # the CA file (PEM) the service's certificate must chain to
    record_cache_hours: int = 24  # R-LOCAL-2: opened records stay readable offline this long
    # Not the user's: what the organisation's policy pinned (app.policy) and what the file had under the
    # environment's and the policy's values (what save() writes back). Never read from or written to the file.
    pinned: frozenset[str] = field(default=frozenset(), compare=False, metadata={"runtime": True})
    training_allowed: bool = field(default=True, metadata={"runtime": True})
    problem: str = field(default="", compare=False, metadata={"runtime": True})
    _file_values: dict = field(default_factory=dict, init=False, repr=False, compare=False,
                               metadata={"runtime": True})

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str] | None = None) -> Settings:
        out = cls()
        raw: dict = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            raw = {}
        for f in user_fields():
            if f.name in raw:
                out._set(f.name, raw[f.name], f"setting {f.name}")
        env = os.environ if environ is None else environ
        overridden = {}
        for name, variable in ENVIRONMENT.items():
            if env.get(variable):
                overridden[name] = getattr(out, name)
                out._set(name, env[variable], variable)
        out._file_values = overridden  # what save() writes for these: the environment is not the file
        return out

    def _set(self, name: str, value, source: str) -> None:
        default = getattr(type(self)(), name)
        problem = _problem(name, value, default)
        if problem:
            log.warning("%s has a bad value %r (%s); using %r", source, value, problem, getattr(self, name))
            return
        setattr(self, name, os.path.expanduser(value) if name == "ca_bundle" else value)

    def save(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = {f.name: getattr(self, f.name) for f in user_fields()} | self._file_values
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=2))
        tmp.replace(path)


def user_fields() -> list:
    """The settings a user's file holds (not what the policy or the running app adds)."""
    return [f for f in fields(Settings) if not f.metadata.get("runtime")]


def url_problem(value: str) -> str:
    """Why ``value`` cannot be a directory service's address ("" when it can)."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return "must be an https:// address, or empty for the training directory"
    if parts.query or parts.fragment:
        return "must be the service's address alone, without ? or #"
    return ""


def _problem(name: str, value, default) -> str:
    """Why ``value`` cannot be used for setting ``name`` ("" when it can)."""
    if type(value) is not type(default):
        return f"expected {type(default).__name__}"
    if name == "idle_lock_minutes" and not 1 <= value <= 60:
        return "must be 1..60"
    if name == "record_cache_hours" and not 1 <= value <= 168:
        return "must be 1..168"
    if name == "training_children" and value < 1:
        return "must be at least 1"
    if name == "directory_url" and value:
        return url_problem(value)
    if name == "ca_bundle" and "\x00" in value:
        return "not a file path"
    return ""
