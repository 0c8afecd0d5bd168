# SPDX-License-Identifier: GPL-3.0-or-later
"""Widgets of the Qt shell."""
