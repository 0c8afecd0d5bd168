# SPDX-License-Identifier: GPL-3.0-or-later
"""Documents CoderDesk writes: PDFs built with ReportLab, and claim files."""
