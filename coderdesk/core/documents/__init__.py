# SPDX-License-Identifier: GPL-3.0-or-later
"""Chart documents: recognise their format and extract their text (PDF, text, C-CDA)."""
