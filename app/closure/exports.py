"""Every file this workstation wrote that names people, outside its encrypted stores (R-LOCAL-3, R-CLOSE-6).

The LA's audit archive (search criteria, children's names, directory ids), the closure documents (the
manifest and labels name holders, the chase letters their contact details) are written where the LA team
chooses, readable by its owner only.  Each is recorded here when it is written -- its path, what it is and
when; never its content -- so the last closure step can list every one and remove or keep each by the
LA's choice (``app.closure.destroy``).  A JSON file in the config folder (0600, folder 0700); Qt-free.
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.paths import Paths

from ..private_files import write_private

log = logging.getLogger(__name__)
FILE_NAME = "exports.json"
MAX_EXPORTS = 2000

# what each kind holds, in words, and whether the LA keeps it by default when local data is destroyed
KINDS: dict[str, tuple[str, bool]] = {
    "directory_audit": ("the LA's directory audit archive: names, directory ids and search criteria (kept for "
                        "its retention period)", True),
    "closure_audit": ("the closure audit archive: who did each closure step (kept for its retention period)", True),
    "report": ("the local service closure report: holders of tokens not returned", True),
    "manifest": ("the token return manifest: every holder's name", False),
    "manifest_csv": ("the token return manifest as CSV: every holder's name", False),
    "envelope_manifests": ("the manifests that go inside the envelopes: holders' names", False),
    "labels": ("the envelope labels", False),
    "chase_letters": ("the chase letters: holders' names, phone numbers and e-mail addresses", False),
}


@dataclass(frozen=True)
class Export:
    path: str
    kind: str
    at: str

    @property
    def what(self) -> str:
        return KINDS.get(self.kind, ("a file Signpost wrote", False))[0]

    @property
    def keep_by_default(self) -> bool:
        return KINDS.get(self.kind, ("", False))[1]

    @property
    def exists(self) -> bool:
        return Path(self.path).exists()


def ledger_path(paths: Paths) -> Path:
    return paths.config / FILE_NAME


def listed(paths: Paths) -> list[Export]:
    """Every export recorded, newest last (one per path); an unreadable ledger is said in the log and read
    as what it still holds, never as empty silently."""
    try:
        raw = json.loads(ledger_path(paths).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.error("the list of exported files %s cannot be read (%s)", ledger_path(paths), exc)
        raise
    out: dict[str, Export] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and {"path", "kind", "at"} <= set(item):
            out[str(item["path"])] = Export(str(item["path"]), str(item["kind"]), str(item["at"]))
    return list(out.values())


def record(paths: Paths, path: Path, kind: str) -> Export:
    """Note a file just written (its absolute path), replacing an older note of the same path."""
    made = Export(str(Path(path).expanduser().resolve()), kind, datetime.now(UTC).isoformat(timespec="seconds"))
    _save(paths, [e for e in listed(paths) if e.path != made.path][-MAX_EXPORTS + 1:] + [made])
    return made


def forget(paths: Paths, gone: set[str]) -> None:
    """Drop the notes of files removed."""
    _save(paths, [e for e in listed(paths) if e.path not in gone])


def inside_data(paths: Paths, path: Path) -> bool:
    """Whether ``path`` is inside Signpost's own data folder (where nobody would look for it after closure)."""
    try:
        Path(path).expanduser().resolve().relative_to(paths.data.resolve())
    except ValueError:
        return False
    return True


def _save(paths: Paths, exports: list[Export]) -> None:
    write_private(ledger_path(paths), json.dumps([asdict(e) for e in exports], indent=1), own_folder=True)
