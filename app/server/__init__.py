"""The reference directory service: the engine over HTTPS (``python -m app.server``)."""
from .app import ServiceSettings, create_app

__all__ = ["ServiceSettings", "create_app"]
