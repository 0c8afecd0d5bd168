# SPDX-License-Identifier: GPL-3.0-or-later
"""Code systems: ICD-10-CM, HCPCS Level II, CPT, NCCI and MUE; parsers and the code-set library."""
