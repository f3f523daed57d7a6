"""Transitional name for the embedded directory (screens move to ``app.directory`` next)."""
from .directory.embedded import EmbeddedDirectory as DirectoryService

__all__ = ["DirectoryService"]
