# SPDX-License-Identifier: GPL-3.0-or-later
"""The passphrase policy for new workspaces: long, varied, not a common password."""

from __future__ import annotations

import math

from coderdesk.core.errors import WeakPassphrase

MIN_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 6
MIN_ESTIMATED_BITS = 50.0

_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "iloveyou1234",
        "administrator",
        "letmeinletmein",
        "welcome12345",
        "changemenow1",
        "coderdesk123",
        "medicalcoder1",
    }
)


def _pool_size(text: str) -> int:
    pools = (
        (str.islower, 26),
        (str.isupper, 26),
        (str.isdigit, 10),
    )
    size = sum(width for test, width in pools if any(test(ch) for ch in text))
    if any(not ch.isalnum() for ch in text):
        size += 33
    return max(size, 1)


def estimated_bits(text: str) -> float:
    """A conservative entropy estimate: distinct characters times the pool they come from."""
    distinct = len(set(text))
    effective_length = min(len(text), distinct * 2)
    return effective_length * math.log2(_pool_size(text))


def strength_problems(passphrase: str) -> list[str]:
    """Why `passphrase` is too weak (empty when it is acceptable)."""
    problems = []
    if len(passphrase) < MIN_LENGTH:
        problems.append(f"use at least {MIN_LENGTH} characters")
    if len(set(passphrase)) < MIN_DISTINCT_CHARACTERS:
        problems.append(f"use at least {MIN_DISTINCT_CHARACTERS} different characters")
    if passphrase.lower() in _COMMON:
        problems.append("it is a commonly used password")
    if not problems and estimated_bits(passphrase) < MIN_ESTIMATED_BITS:
        problems.append("it is too predictable: add words, digits or symbols")
    return problems


def check_new_passphrase(passphrase: str, confirmation: str) -> None:
    """Raise `WeakPassphrase` unless the new passphrase is strong and confirmed."""
    if passphrase != confirmation:
        raise WeakPassphrase("The passphrase and its confirmation differ.")
    problems = strength_problems(passphrase)
    if problems:
        raise WeakPassphrase("Passphrase too weak: " + "; ".join(problems) + ".")
