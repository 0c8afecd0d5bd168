# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider queries: the query model, its interchange format and the compliance check."""
