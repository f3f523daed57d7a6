"""Where Signpost keeps its files: per user, from ``platformdirs``.

``SIGNPOST_HOME`` puts everything under one folder instead (tests, training
rooms, benchmarks).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .private_files import private_folder

APP = "signpost"


@dataclass(frozen=True)
class Paths:
    data: Path
    config: Path

    @classmethod
    def default(cls) -> Paths:
        home = os.environ.get("SIGNPOST_HOME")
        if home:
            return cls(Path(home) / "data", Path(home) / "config")
        return cls(Path(platformdirs.user_data_dir(APP, appauthor=False)),
                   Path(platformdirs.user_config_dir(APP, appauthor=False)))

    @property
    def training_directory(self) -> Path:
        return self.data / "training" / "directory.db"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    def cache_file(self, username: str) -> Path:
        return self.data / "cache" / f"{username}.db"

    def ensure(self) -> None:
        for p in (self.data, self.config):
            private_folder(p)
