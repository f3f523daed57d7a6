"""Signpost's PySide6 front end: widgets, item models, dialogs and the bridge
that brings results from the service threads back to the GUI thread."""
