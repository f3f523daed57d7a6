"""The LA management team's screens (issue 8, R-ROLE-3), home first. Each is a ``ui.screens.base.Screen``
the role window hosts; everything is limited to the team's own LA by the directory."""
from __future__ import annotations

from .alerts import AlertsInbox
from .archive import ArchiveAccess
from .audit_export import AuditExport
from .contact import ContactRequests
from .home import LaHome
from .register import RegisterRequests
from .shields import ShieldReviews
from .usage import UsageReportScreen
from .users import UsersScreen

SCREENS = [LaHome, ShieldReviews, ContactRequests, AlertsInbox, UsageReportScreen, AuditExport, UsersScreen,
           RegisterRequests, ArchiveAccess]

__all__ = ["SCREENS", "LaHome", "ShieldReviews", "ContactRequests", "AlertsInbox", "UsageReportScreen",
           "AuditExport", "UsersScreen", "RegisterRequests", "ArchiveAccess"]
