"""User settings: a small JSON file in the config folder.

Unknown keys are ignored, and a bad value of a setting that only tunes the
app (the idle lock, the cache's hours, the training directory's size) falls
back to its default with a logged warning. The settings that choose the
directory never fall back: a bad ``directory_url`` or ``ca_bundle`` (or a
settings file that cannot be read, which may name them) is kept in
``problems``, and the app stops with a message naming the setting and what
to write, rather than running silently on the embedded training directory.

Which directory the app talks to:

- ``directory_url``: empty (the default) for the embedded training directory,
  or the ``https://`` address of the directory service, e.g.
  ``https://127.0.0.1:8443`` for an LA training server started with
  ``make serve``; or several nodes of one service separated by spaces, each
  tried in turn when the one in use does not answer. Plain ``http://`` is
  never accepted.
- ``ca_bundle``: the path of the CA certificate file (PEM) the service's
  certificate is checked against; needed with a ``directory_url``.
- ``record_cache_hours``: how long a record the user opened stays readable
  offline in the encrypted cache (R-LOCAL-2), 1 to 168 hours, default 24.

Environment variables override the file (and are never written back to it):
``SIGNPOST_DIRECTORY_URL`` for ``directory_url`` and ``SIGNPOST_CA_BUNDLE``
for ``ca_bundle``; a bad value there stops the app like a bad file value.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from .private_files import write_private

log = logging.getLogger(__name__)

WINDOW_MIN, WINDOW_MAX = 480, 16384  # pixels: a remembered window size outside these is not used
ENVIRONMENT = {"directory_url": "SIGNPOST_DIRECTORY_URL", "ca_bundle": "SIGNPOST_CA_BUNDLE"}
DIRECTORY_SETTINGS = frozenset(ENVIRONMENT)  # never fall back: a bad one stops the app (no silent training data)


@dataclass(frozen=True)
class SettingProblem:
    """A setting Signpost will not start with: which, where it was written, as written, and what is wrong."""

    setting: str  # "directory_url", "ca_bundle", or "" for the whole settings file
    source: str  # the settings file's path, or the environment variable
    value: str  # as written ("" for a file that cannot be read)
    why: str  # what is wrong, in words


@dataclass
class Settings:
    idle_lock_minutes: int = 10
    pkcs11_module: str = ""  # empty: SIGNPOST_PKCS11_MODULE, then the usual OpenSC / SoftHSM paths
    training_children: int = 20_000
    directory_url: str = ""  # empty: the embedded training directory; else the service's https:// address
    ca_bundle: str = ""  # the CA file (PEM) the service's certificate must chain to
    record_cache_hours: int = 24  # R-LOCAL-2: opened records stay readable offline this long
    window_width: int = 0  # the role window's size when it was last closed (0: fit the screen)
    window_height: int = 0
    # Not the user's: what the organisation's policy pinned (app.policy) and what the file had under the
    # environment's and the policy's values (what save() writes back). Never read from or written to the file.
    pinned: frozenset[str] = field(default=frozenset(), compare=False, metadata={"runtime": True})
    training_allowed: bool = field(default=True, metadata={"runtime": True})
    problem: str = field(default="", compare=False, metadata={"runtime": True})
    # why Signpost must not start with the directory these settings choose (found by ``load``; never saved)
    problems: tuple[SettingProblem, ...] = field(default=(), compare=False, repr=False, metadata={"runtime": True})
    _file_values: dict = field(default_factory=dict, init=False, repr=False, compare=False,
                               metadata={"runtime": True})

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str] | None = None) -> Settings:
        out = cls()
        problems: list[SettingProblem] = []
        raw: dict = {}
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            raw = {}
        except (OSError, ValueError) as exc:
            problems.append(SettingProblem("", str(path), "", f"it cannot be read ({exc})"))
            raw = {}
        for f in user_fields():
            if f.name in raw:
                out._set(f.name, raw[f.name], str(path), problems)
        env = os.environ if environ is None else environ
        overridden = {}
        for name, variable in ENVIRONMENT.items():
            if env.get(variable):
                overridden[name] = getattr(out, name)
                out._set(name, env[variable], variable, problems)
        if out.directory_url and not problems:
            problems.extend(_ca_bundle_problems(out, str(path), env))
        out._file_values = overridden  # what save() writes for these: the environment is not the file
        out.problems = tuple(problems)
        return out

    def _set(self, name: str, value, source: str, problems: list[SettingProblem]) -> None:
        default = getattr(type(self)(), name)
        problem = _problem(name, value, default)
        if problem and name in DIRECTORY_SETTINGS:
            problems.append(SettingProblem(name, source, repr(value), problem))
            return
        if problem:
            log.warning("%s in %s has a bad value %r (%s); using %r", name, source, value, problem,
                        getattr(self, name))
            return
        setattr(self, name, os.path.expanduser(value) if name == "ca_bundle" else value)

    def save(self, path: Path) -> None:
        data = {f.name: getattr(self, f.name) for f in user_fields()} | self._file_values
        write_private(path, json.dumps(data, indent=2))


def user_fields() -> list:
    """The settings a user's file holds (not what the policy or the running app adds)."""
    return [f for f in fields(Settings) if not f.metadata.get("runtime")]


def directory_nodes(value: str) -> tuple[str, ...]:
    """The nodes a ``directory_url`` names: one address, or several nodes of one service separated by spaces or
    commas, tried in turn when one does not answer (issue 16 §3). The one place the setting is split."""
    return tuple(part for part in value.replace(",", " ").split() if part) if isinstance(value, str) else ()


def url_problem(value: str) -> str:
    """Why ``value`` cannot be a directory service's address, as "<value> ..." reads ("" when it can)."""
    parts = urlsplit(value)
    if parts.scheme == "http":
        return "is a plain http:// address, which is not encrypted"
    if parts.scheme != "https" or not parts.hostname:
        return "is not an https:// address"
    if parts.query or parts.fragment:
        return "has a ? or # part; the service's address goes alone"
    return ""


def _ca_bundle_problems(settings: Settings, path: str, env: Mapping[str, str]) -> list[SettingProblem]:
    """With a directory service configured, its CA file must be named and be a file."""
    source = ENVIRONMENT["ca_bundle"] if env.get(ENVIRONMENT["ca_bundle"]) else path
    if not settings.ca_bundle:
        return [SettingProblem("ca_bundle", source, "''", "it is empty, but the directory service's certificate "
                               "must be checked against your LA's CA file")]
    if not Path(settings.ca_bundle).is_file():
        return [SettingProblem("ca_bundle", source, repr(settings.ca_bundle), "there is no such file")]
    return []


def _problem(name: str, value, default) -> str:
    """Why ``value`` cannot be used for setting ``name`` ("" when it can)."""
    if type(value) is not type(default) and name in DIRECTORY_SETTINGS:
        return "it is not text in double quotes"
    if type(value) is not type(default):
        return f"expected {type(default).__name__}"
    if name == "idle_lock_minutes" and not 1 <= value <= 60:
        return "must be 1..60"
    if name == "record_cache_hours" and not 1 <= value <= 168:
        return "must be 1..168"
    if name in ("window_width", "window_height") and value and not WINDOW_MIN <= value <= WINDOW_MAX:
        return f"must be 0 or {WINDOW_MIN}..{WINDOW_MAX}"
    if name == "training_children" and value < 1:
        return "must be at least 1"
    if name == "directory_url" and value:
        nodes = directory_nodes(value)
        for node in nodes:
            problem = url_problem(node)
            if problem:
                return f"it {problem}" if len(nodes) == 1 else f"its address {node} {problem}"
        return "" if nodes else "it is not an https:// address"
    if name == "ca_bundle" and "\x00" in value:
        return "it is not a file path"
    return ""
