# SPDX-License-Identifier: GPL-3.0-or-later
"""One module per schema revision."""
