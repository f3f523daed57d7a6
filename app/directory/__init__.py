"""The directory: its interface, the embedded engine and (in ``remote``) the HTTPS client.

``from app.directory import Directory`` gives the engine itself (single-threaded;
tests, training set-up and the HTTPS service drive it directly); screens use a
``DirectoryClient``: ``EmbeddedDirectory`` or ``RemoteDirectory``.
"""
from ..refusals import AccessRefused, NoSuchRecord, RateLimited, Refusal, SearchRefused, SignInRefused
from .embedded import EmbeddedDirectory
from .engine import Directory, SignedIn, check_expiry, witness_path
from .interface import (
                        CertificateProblem,
                        DirectoryClient,
                        DirectoryStatus,
                        DirectoryUnavailable,
                        ServiceClosed,
                        ServiceError,
                        Unreachable,
)

__all__ = ["Directory", "SignedIn", "check_expiry", "witness_path", "EmbeddedDirectory", "DirectoryClient",
           "DirectoryStatus", "DirectoryUnavailable", "Unreachable", "CertificateProblem", "ServiceError",
           "ServiceClosed", "Refusal", "AccessRefused", "NoSuchRecord", "RateLimited", "SearchRefused",
           "SignInRefused"]
