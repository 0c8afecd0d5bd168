# SPDX-License-Identifier: GPL-3.0-or-later
"""Practice and payer rules a user writes in TOML, without touching code.

The file (default: `rules.toml` in the CoderDesk config folder; `--rules FILE` on the
CLI) holds two kinds of entries, both optionally limited to some payers (matched on the
claim's payer id or name, ignoring case):

    [[severity]]                 # change how a built-in rule weighs
    rule = "ICD10CM.SEX"
    severity = "error"           # error | warning | info | off
    payers = ["MEDICAID-TX"]

    [[rule]]                     # a rule of your own
    id = "PAYER.ACME.THERAPY_GP" # must start with PRACTICE. or PAYER.
    severity = "error"
    message = "Acme pays therapy codes only with GP, GO or GN."
    citation = "Acme provider manual 2026, section 4.2"
    fix = "Add the plan-of-care modifier."
    payers = ["ACME"]
    procedures = ["97110-97546"]
    requires_modifier = ["GP", "GO", "GN"]

A `[[rule]]` has exactly one condition: `procedures` with `requires_modifier`,
`requires_diagnosis` (one of the pointed diagnoses must be in the list), `max_units` or
`forbidden = true`; or `diagnoses` with `forbidden = true` or `not_first = true`. Code
lists take codes, code starts and ranges as in `code_ranges`. See docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coderdesk.core.paths import config_dir
from coderdesk.core.rules.code_ranges import CodeMatcher, RuleTableError
from coderdesk.core.rules.findings import Finding, Severity
from coderdesk.core.rules.tables import read_toml, string_list

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from coderdesk.core.rules.claim import Claim, ClaimLine
    from coderdesk.core.rules.engine import RuleContext

SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
OFF = "off"
ID_PREFIXES = ("PRACTICE.", "PAYER.")
_RULE_KEYS = {
    "id",
    "severity",
    "message",
    "citation",
    "fix",
    "payers",
    "procedures",
    "diagnoses",
    "requires_modifier",
    "requires_diagnosis",
    "max_units",
    "forbidden",
    "not_first",
}


def payer_matches(payers: frozenset[str], claim: Claim) -> bool:
    """Whether an entry limited to `payers` (empty: all) applies to the claim."""
    if not payers:
        return True
    names = {str(claim.payer.get(k, "") or "").strip().upper() for k in ("id", "name")}
    return bool(payers & names)


@dataclass(frozen=True)
class SeverityChange:
    """A built-in rule's severity for some payers; None switches the rule off."""

    rule: str
    severity: Severity | None
    payers: frozenset[str]


@dataclass(frozen=True)
class CustomRule:
    """A user's rule: one condition over procedures or diagnoses."""

    rule_id: str
    severity: Severity
    message: str
    citation: str
    fix: str
    payers: frozenset[str]
    procedures: CodeMatcher
    diagnoses: CodeMatcher
    requires_modifier: frozenset[str]
    requires_diagnosis: CodeMatcher
    max_units: int | None
    forbidden: bool
    not_first: bool

    def check(self, context: RuleContext) -> Iterator[Finding]:
        """Findings on the claim when the entry's payer matches."""
        claim = context.claim
        if not payer_matches(self.payers, claim):
            return
        if self.diagnoses:
            yield from self._diagnosis_findings(claim)
            return
        for number, line in enumerate(claim.lines, start=1):
            if line.code in self.procedures and self._line_breaks(line, claim):
                yield self._finding((line.code,), (number,))

    def _diagnosis_findings(self, claim: Claim) -> Iterator[Finding]:
        for position, code in enumerate(claim.diagnoses):
            if code in self.diagnoses and (self.forbidden or position == 0):
                yield self._finding((code,), ())

    def _line_breaks(self, line: ClaimLine, claim: Claim) -> bool:
        if self.forbidden:
            return True
        if self.requires_modifier:
            return not self.requires_modifier & set(line.modifiers)
        if self.requires_diagnosis:
            pointed = [
                claim.diagnoses[p - 1] for p in line.pointers if 0 < p <= len(claim.diagnoses)
            ]
            return not any(code in self.requires_diagnosis for code in pointed)
        return self.max_units is not None and line.units > self.max_units

    def _finding(self, codes: tuple[str, ...], lines: tuple[int, ...]) -> Finding:
        return Finding(
            self.rule_id, self.severity, self.message, self.citation, codes, lines, self.fix
        )


@dataclass(frozen=True)
class CustomRules:
    """Everything a rules file says."""

    severities: tuple[SeverityChange, ...] = ()
    rules: tuple[CustomRule, ...] = ()

    def severity_for(self, rule: str, claim: Claim) -> tuple[bool, Severity | None]:
        """(changed, severity) for `rule` on this claim; severity None switches it off."""
        for change in self.severities:
            if change.rule == rule and payer_matches(change.payers, claim):
                return True, change.severity
        return False, None


def _text(raw: dict[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise RuleTableError(f"{where}: '{key}' must be non-empty text.")
    return value.strip()


def _severity(raw: dict[str, Any], where: str, allow_off: bool) -> Severity | None:
    value = str(raw.get("severity", "")).strip().lower()
    if allow_off and value == OFF:
        return None
    if value not in SEVERITIES:
        allowed = ", ".join([*SEVERITIES, OFF] if allow_off else SEVERITIES)
        raise RuleTableError(f"{where}: 'severity' must be one of {allowed}.")
    return SEVERITIES[value]


def _severity_change(raw: Any, where: str) -> SeverityChange:
    if not isinstance(raw, dict):
        raise RuleTableError(f"{where} must be a table.")
    return SeverityChange(
        _text(raw, "rule", where).upper(),
        _severity(raw, where, allow_off=True),
        frozenset(string_list(raw, "payers", where)),
    )


def _custom_rule(raw: Any, where: str) -> CustomRule:
    if not isinstance(raw, dict):
        raise RuleTableError(f"{where} must be a table.")
    unknown = sorted(set(raw) - _RULE_KEYS)
    if unknown:
        raise RuleTableError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    rule_id = _text(raw, "id", where).upper()
    if not rule_id.startswith(ID_PREFIXES):
        raise RuleTableError(f"{where}: 'id' must start with PRACTICE. or PAYER. ({rule_id}).")
    where = f"{where} ({rule_id})"
    severity = _severity(raw, where, allow_off=False)
    max_units = raw.get("max_units")
    if max_units is not None and (not isinstance(max_units, int) or max_units < 0):
        raise RuleTableError(f"{where}: 'max_units' must be a whole number.")
    rule = CustomRule(
        rule_id=rule_id,
        severity=severity or Severity.WARNING,
        message=_text(raw, "message", where),
        citation=_text(raw, "citation", where, required=False) or "Practice or payer rule",
        fix=_text(raw, "fix", where, required=False),
        payers=frozenset(string_list(raw, "payers", where)),
        procedures=CodeMatcher(string_list(raw, "procedures", where), where),
        diagnoses=CodeMatcher(string_list(raw, "diagnoses", where), where),
        requires_modifier=frozenset(string_list(raw, "requires_modifier", where)),
        requires_diagnosis=CodeMatcher(string_list(raw, "requires_diagnosis", where), where),
        max_units=max_units,
        forbidden=raw.get("forbidden") is True,
        not_first=raw.get("not_first") is True,
    )
    _check_condition(rule, where)
    return rule


def _check_condition(rule: CustomRule, where: str) -> None:
    if bool(rule.procedures) == bool(rule.diagnoses):
        raise RuleTableError(f"{where}: give either 'procedures' or 'diagnoses'.")
    if rule.procedures:
        conditions = [
            bool(rule.requires_modifier),
            bool(rule.requires_diagnosis),
            rule.max_units is not None,
            rule.forbidden,
        ]
        wanted = "requires_modifier, requires_diagnosis, max_units or forbidden = true"
    else:
        conditions = [rule.forbidden, rule.not_first]
        wanted = "forbidden = true or not_first = true"
    if sum(conditions) != 1:
        raise RuleTableError(f"{where}: give exactly one condition: {wanted}.")


USER_RULES_FILE = "rules.toml"


def load_user_rules(path: Path | None = None) -> CustomRules:
    """The rules file given, else rules.toml in the config folder, else no rules."""
    if path is None:
        default = config_dir() / USER_RULES_FILE
        return load_custom_rules(default) if default.is_file() else CustomRules()
    return load_custom_rules(path)


def load_custom_rules(path: Path) -> CustomRules:
    """Read a rules file; every problem is reported with the entry it is in."""
    data = read_toml(path)
    unknown = sorted(set(data) - {"severity", "rule"})
    if unknown:
        raise RuleTableError(f"{path.name}: unknown section(s) {', '.join(unknown)}.")
    severities = data.get("severity", [])
    rules = data.get("rule", [])
    if not isinstance(severities, list) or not isinstance(rules, list):
        raise RuleTableError(f"{path.name}: use [[severity]] and [[rule]] entries.")
    return CustomRules(
        tuple(
            _severity_change(raw, f"{path.name} [[severity]] #{n}")
            for n, raw in enumerate(severities, 1)
        ),
        tuple(_custom_rule(raw, f"{path.name} [[rule]] #{n}") for n, raw in enumerate(rules, 1)),
    )
