# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation of a claim against stored coding rules: engine, findings, rule families."""
