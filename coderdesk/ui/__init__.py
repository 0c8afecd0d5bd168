# SPDX-License-Identifier: GPL-3.0-or-later
"""The Qt shell: PySide6 only here, over coderdesk.core.services."""

from coderdesk.ui._none_guard import guard_none_refcount

guard_none_refcount()
