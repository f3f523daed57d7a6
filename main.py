"""Signpost: start the desktop client."""
import sys


def main() -> int:
    if sys.argv[1:2] == ["enrol-token"]:
        from app.admin import enrol
        return enrol(sys.argv[2:])
    from ui.app import run
    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
