# SPDX-License-Identifier: GPL-3.0-or-later
"""Use cases the UI and the CLI call; every PHI access goes through here and is audited."""
