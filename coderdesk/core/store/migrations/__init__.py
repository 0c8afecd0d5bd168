# SPDX-License-Identifier: GPL-3.0-or-later
"""Alembic migrations of the workspace schema, shipped inside the package."""
