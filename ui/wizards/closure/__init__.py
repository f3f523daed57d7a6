"""The closure wizard (R-CLOSE-1..6): one small module per page over the Qt-free core in ``app.closure``.

``ClosureWizard`` is the window; ``ClosureContext`` holds the register, the checklist and the workers;
``QtPrompts`` answers ``app.closure.flow.Prompts`` for a flow running off the GUI thread.
"""
from .context import ClosureContext
from .prompts import PromptPanel, QtPrompts
from .wizard import PAGES, ClosureWizard

__all__ = ["ClosureContext", "ClosureWizard", "PAGES", "PromptPanel", "QtPrompts"]
