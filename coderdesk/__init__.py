# SPDX-License-Identifier: GPL-3.0-or-later
"""CoderDesk: an offline workstation for medical coders."""

__version__ = "0.1.0"
