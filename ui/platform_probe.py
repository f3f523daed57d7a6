"""``python -m ui.platform_probe``: does Qt's platform plugin load here? Prints its name and Qt's version
(for ``signpost --check``, in a child process: Qt ends a process whose platform plugin cannot load)."""
import sys

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication

if __name__ == "__main__":
    qt = QGuiApplication(["signpost-check"])
    print(f"{qt.platformName()}, Qt {qVersion()}")
    sys.exit(0)
