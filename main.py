"""Signpost: start the desktop client."""
import sys


def main() -> int:
    commands = {"enrol-token": "enrol", "unlock-account": "unlock_account", "limits": "limits",
                "audit": "audit_command", "switch-off": "switch_off"}
    if sys.argv[1:2] and sys.argv[1] in commands:
        from app import admin
        return getattr(admin, commands[sys.argv[1]])(sys.argv[2:])
    from ui.app import run
    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
