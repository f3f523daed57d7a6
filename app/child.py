"""How Signpost runs one of its own modules as a child process (the training builder's drawing process,
a token enrolment), the same way from a source checkout, an installed wheel and the frozen bundle.

A frozen bundle has no ``python -m``: its executable is Signpost itself, so ``main.py`` runs the few
modules named in ``MODULES`` when given ``--run-module``.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import app

RUN_MODULE = "--run-module"
MODULES = ("app.generator", "app.token.provision", "app.preflight", "ui.platform_probe")  # nothing else


def command(module: str, *args: str) -> list[str]:
    """The argv that runs ``python -m module args`` in this installation."""
    if module not in MODULES:
        raise ValueError(f"{module} is not run as a child process")
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_MODULE, module, *args]
    return [sys.executable, "-m", module, *args]


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the folder holding ``app`` first on
    PYTHONPATH, so a child imports this very copy of Signpost."""
    env = dict(os.environ if base is None else base)
    root = str(Path(app.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def run_module(argv: list[str]) -> int:
    """``signpost --run-module MODULE ARGS...`` inside the frozen bundle: run MODULE as ``__main__``."""
    import runpy
    if not argv or argv[0] not in MODULES:
        print(f"usage: signpost {RUN_MODULE} {{{','.join(MODULES)}}} ARGS...", file=sys.stderr)
        return 2
    sys.argv = [argv[0], *argv[1:]]
    try:
        runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0
