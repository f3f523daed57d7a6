"""Dialogs for the work on a record (issue 8): one module per dialog.

Each dialog collects one request (a frozen dataclass from
``app.directory.work.types``) and emits it with ``submitted``; whoever opened
it sends it to the directory and either closes it (``done_ok``) or shows the
directory's refusal inside it (``show_error``), so the person can correct what
they typed without typing it all again. Dialogs open with ``open()``: the GUI
thread never waits in a nested event loop.
"""
