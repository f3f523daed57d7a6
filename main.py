"""Signpost: start the desktop client (or one of its command-line tasks)."""
import sys

USAGE = """usage: signpost [--version | --check | COMMAND ARGS]

  (no arguments)   start Signpost
  --version        print the version and exit
  --check          check this workstation (smartcard service, token module, keyring, directory, display,
                   disk, accessibility); exit 1 when a check fails
  enrol-token, unlock-account, limits, audit, switch-off, training   directory administration (README)"""


def main() -> int:
    args = sys.argv[1:]
    commands = {"enrol-token": "enrol", "unlock-account": "unlock_account", "limits": "limits",
                "audit": "audit_command", "switch-off": "switch_off", "training": "training_command"}
    if args[:1] in (["--help"], ["-h"]):
        print(USAGE)
        return 0
    if args[:1] == ["--version"]:
        from app.version import version
        print(f"Signpost {version()}")
        return 0
    if args[:1] == ["--check"]:
        from app.preflight import main as check
        return check(args[1:])
    if args[:1] == ["--run-module"]:  # the frozen bundle's own child processes (app/child.py)
        from app.child import run_module
        return run_module(args[1:])
    if args[:1] and args[0] in commands:
        from app import admin
        return getattr(admin, commands[args[0]])(args[1:])
    if args[:1] and args[0].startswith("--"):  # a mistyped option; Qt's own take one dash (-platform)
        print(f"signpost: unknown option {args[0]}\n{USAGE}", file=sys.stderr)
        return 2
    from ui.app import run
    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
