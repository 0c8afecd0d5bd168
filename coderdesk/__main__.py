# SPDX-License-Identifier: GPL-3.0-or-later
"""`python -m coderdesk` runs the command line."""

from coderdesk.cli import main

raise SystemExit(main())
