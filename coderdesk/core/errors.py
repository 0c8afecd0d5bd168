# SPDX-License-Identifier: GPL-3.0-or-later
"""One hierarchy of domain errors, each carrying a plain message safe to show a user.

A `user_message` never holds protected health information: it names the problem and
what to do, never a patient, a document's text or a passphrase.
"""

from __future__ import annotations


class CoderDeskError(Exception):
    """Base of every error the user is meant to read."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class UsageError(CoderDeskError):
    """The request itself is malformed (bad argument, bad value)."""


class WeakPassphrase(CoderDeskError):
    """A new passphrase is too weak or does not match its confirmation."""


class WrongPassphrase(CoderDeskError):
    """The passphrase does not open this workspace."""


class WorkspaceDamaged(CoderDeskError):
    """The workspace file fails its integrity checks."""


class NotAWorkspace(CoderDeskError):
    """The file is not an encrypted CoderDesk workspace (missing, plaintext, other)."""


class UnsafeLocation(CoderDeskError):
    """The workspace path is somewhere PHI must not be kept (e.g. a cloud-sync folder)."""


class WorkspaceExists(CoderDeskError):
    """Creating a workspace would overwrite an existing file."""


class WorkspaceLocked(CoderDeskError):
    """The workspace is locked or closed; unlock it first."""


class StorageFailed(CoderDeskError):
    """A write to the workspace failed (disk full, I/O error); nothing was saved."""


class NotFound(CoderDeskError):
    """A record asked for does not exist."""


class DocumentUnreadable(CoderDeskError):
    """A chart document cannot be read (malformed, unsupported, too large)."""


class Cancelled(CoderDeskError):
    """The user cancelled a long task; shown as nothing."""

    def __init__(self) -> None:
        super().__init__("Cancelled.")
