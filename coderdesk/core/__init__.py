# SPDX-License-Identifier: GPL-3.0-or-later
"""The Qt-free core: everything CoderDesk does, usable from tests and the CLI."""
