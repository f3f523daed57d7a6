"""User settings: a small JSON file in the config folder.

Unknown keys are ignored and bad values fall back to the default with a
logged warning, so a hand-edited file can never stop the app starting.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class Settings:
    idle_lock_minutes: int = 10
    pkcs11_module: str = ""  # empty: SIGNPOST_PKCS11_MODULE, then the usual OpenSC / SoftHSM paths
    training_children: int = 20_000

    @classmethod
    def load(cls, path: Path) -> "Settings":
        out = cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return out
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            return out
        for f in fields(cls):
            if f.name in raw:
                value = raw[f.name]
                if isinstance(value, type(getattr(out, f.name))):
                    setattr(out, f.name, value)
                else:
                    log.warning("setting %s has a bad value %r; using %r", f.name, value, getattr(out, f.name))
        if not 1 <= out.idle_lock_minutes <= 60:
            log.warning("idle_lock_minutes must be 1..60; using 10")
            out.idle_lock_minutes = 10
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)
