# SPDX-License-Identifier: GPL-3.0-or-later
"""The encoder's search: query analysis, the Whoosh index, ranking, benchmarks."""
