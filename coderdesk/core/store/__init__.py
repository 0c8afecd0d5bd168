# SPDX-License-Identifier: GPL-3.0-or-later
"""The encrypted workspace: SQLCipher engine, schema, migrations, audit trail, backups."""
