"""The one way Signpost writes a file only its user may read: folders 0700, files 0600, replaced atomically.

A file is written beside its final name, flushed to disk and renamed over it, so a reader (or a restart after a
crash) sees the old file or the new one, never half of either. The file is 0600 from the moment it exists, even
where an older temporary file had another mode. A folder this makes is 0700; ``own_folder`` also tightens an
existing one, for the folders that are Signpost's own (never a folder the user chose to export into).
"""
from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path | str) -> Path:
    """``folder`` (and any parent it needs) made 0700; an existing one tightened to 0700."""
    folder = _made(Path(folder))
    os.chmod(folder, FOLDER_MODE)
    return folder


def _made(folder: Path) -> Path:
    """``folder`` with every missing folder on the way made 0700 (``mkdir(parents=True)`` gives those the
    default mode)."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for p in reversed(missing):
        p.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return folder


def write_private(path: Path | str, data: bytes | str, *, own_folder: bool = False) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` as a 0600 file, atomically; returns the path."""
    path = Path(path)
    if own_folder:
        private_folder(path.parent)
    else:
        _made(path.parent)
    body = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # an older temporary file keeps its mode through O_CREAT
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        if fd != -1:
            os.close(fd)
    os.replace(tmp, path)
    return path
