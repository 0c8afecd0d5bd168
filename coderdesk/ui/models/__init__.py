# SPDX-License-Identifier: GPL-3.0-or-later
"""Models of the Qt shell."""
