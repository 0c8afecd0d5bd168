# SPDX-License-Identifier: GPL-3.0-or-later
"""Practice/payer rules from a user's TOML file, payer severities, and overrides."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.rules.claim import ClaimFormatError, parse_claim
from coderdesk.core.rules.code_ranges import CodeMatcher, RuleTableError
from coderdesk.core.rules.custom import load_custom_rules
from coderdesk.core.rules.engine import RuleEngine, blocking

if TYPE_CHECKING:
    from pathlib import Path

    from coderdesk.core.codes.library import CodeSetLibrary

RULES = """
[[severity]]
rule = "ICD10CM.USE_ADDITIONAL"
severity = "off"
payers = ["ACME"]

[[severity]]
rule = "CLAIM.CHARGE"
severity = "warning"

[[severity]]
rule = "ICD10CM.SEX"
severity = "error"
payers = ["ACME"]

[[rule]]
id = "PAYER.ACME.THERAPY_GP"
severity = "error"
message = "Acme pays therapy codes only with GP, GO or GN."
citation = "Acme provider manual 2026, 4.2"
fix = "Add the plan-of-care modifier."
payers = ["acme"]
procedures = ["97110-97546"]
requires_modifier = ["GP", "GO", "GN"]

[[rule]]
id = "PRACTICE.NO_UNSPECIFIED_BACK_PAIN"
severity = "warning"
message = "Our payers deny unspecified low back pain as the only diagnosis."
diagnoses = ["M54.50"]
not_first = true

[[rule]]
id = "PAYER.ACME.LCD_NERVE_BLOCK"
severity = "error"
message = "Nerve blocks need a neuralgia or radiculopathy diagnosis."
payers = ["ACME"]
procedures = ["64450"]
requires_diagnosis = ["M79.2", "M54.1-"]

[[rule]]
id = "PRACTICE.THERAPY_UNITS"
severity = "warning"
message = "More than 4 units of one therapy code."
procedures = ["97110"]
max_units = 4
"""


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def engine(module_library: CodeSetLibrary, rules_file: Path) -> RuleEngine:
    return RuleEngine(module_library, custom=load_custom_rules(rules_file))


def rules_of(engine: RuleEngine, claim: dict[str, Any]) -> dict[str, str]:
    return {f.rule: str(f.severity) for f in engine.validate(parse_claim(claim))}


def acme(claim: dict[str, Any]) -> dict[str, Any]:
    return {**claim, "payer": {"name": "Acme Health", "id": "ACME"}}


def test_payer_rule_requires_modifier_only_for_that_payer(
    engine: RuleEngine, make_claim: Any
) -> None:
    therapy = make_claim(["M54.50", "M62.81"], [{"code": "97110", "units": 2}])
    assert rules_of(engine, acme(therapy))["PAYER.ACME.THERAPY_GP"] == "error"
    assert "PAYER.ACME.THERAPY_GP" not in rules_of(engine, therapy)
    with_gp = make_claim(["M54.50"], [{"code": "97110", "modifiers": ["GP"]}])
    assert "PAYER.ACME.THERAPY_GP" not in rules_of(engine, acme(with_gp))


def test_diagnosis_and_units_conditions(engine: RuleEngine, make_claim: Any) -> None:
    first = rules_of(engine, make_claim(["M54.50"]))
    assert first["PRACTICE.NO_UNSPECIFIED_BACK_PAIN"] == "warning"
    assert "PRACTICE.NO_UNSPECIFIED_BACK_PAIN" not in rules_of(
        engine, make_claim(["M62.81", "M54.50"])
    )
    block = make_claim(["M54.50"], [{"code": "64450"}])
    assert rules_of(engine, acme(block))["PAYER.ACME.LCD_NERVE_BLOCK"] == "error"
    supported = make_claim(["M54.16"], [{"code": "64450"}])
    assert "PAYER.ACME.LCD_NERVE_BLOCK" not in rules_of(engine, acme(supported))
    many = make_claim(["M62.81"], [{"code": "97110", "units": 5}])
    assert rules_of(engine, many)["PRACTICE.THERAPY_UNITS"] == "warning"


def test_severity_changes_per_payer(engine: RuleEngine, make_claim: Any) -> None:
    # N39.0's "Use additional code" note (the infectious agent, B95-B97) is unanswered here.
    claim = make_claim(["N39.0"], [{"charge": 0}])
    everyone = rules_of(engine, claim)
    assert everyone["ICD10CM.USE_ADDITIONAL"] == "warning"
    assert everyone["CLAIM.CHARGE"] == "warning"
    assert "ICD10CM.USE_ADDITIONAL" not in rules_of(engine, acme(claim))


def test_a_payer_makes_the_sex_edit_an_error_that_kx_or_an_override_clears(
    engine: RuleEngine, make_claim: Any
) -> None:
    prostate = make_claim(["N40.0"], [{"code": "99213"}])  # the fixture patient is female
    assert rules_of(engine, prostate)["ICD10CM.SEX"] == "warning"
    assert rules_of(engine, acme(prostate))["ICD10CM.SEX"] == "error"
    with_kx = make_claim(["N40.0"], [{"code": "99213", "modifiers": ["KX"]}])
    assert "ICD10CM.SEX" not in rules_of(engine, acme(with_kx))
    overridden = acme(prostate) | {
        "overrides": [{"rule": "ICD10CM.SEX", "codes": ["N40.0"], "reason": "Transgender care"}]
    }
    findings = [f for f in engine.validate(parse_claim(overridden)) if f.rule == "ICD10CM.SEX"]
    assert [f.overridden for f in findings] == ["Transgender care"]
    assert not blocking(findings)


def test_overrides_keep_the_finding_visible_but_unblock(
    module_library: CodeSetLibrary, make_claim: Any
) -> None:
    engine = RuleEngine(module_library)
    # Excludes1 between type 1 and type 2 diabetes (E11's note excludes E10.-).
    claim = make_claim(["E11.9", "E10.9", "Z79.4"])
    before = [f for f in engine.validate(parse_claim(claim)) if f.rule == "ICD10CM.EXCLUDES1"]
    assert before
    assert before[0].blocking
    reason = "Provider documents both; query answered 2026-03-15"
    claim["overrides"] = [
        {"rule": "ICD10CM.EXCLUDES1", "codes": ["E109", "E11.9"], "reason": reason}
    ]
    after = [f for f in engine.validate(parse_claim(claim)) if f.rule == "ICD10CM.EXCLUDES1"]
    assert [f.overridden for f in after] == [reason]
    assert after[0].as_json()["overridden"] == reason
    assert not blocking(after)


def test_override_needs_a_reason(make_claim: Any) -> None:
    claim = make_claim(["E11.9"], overrides=[{"rule": "ICD10CM.EXCLUDES1", "reason": " "}])
    with pytest.raises(ClaimFormatError, match="needs a reason"):
        parse_claim(claim)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "[[rule]]\nid='X'\nseverity='error'\nmessage='m'\ndiagnoses=['A00']\nforbidden=true",
            "must start with PRACTICE. or PAYER.",
        ),
        (
            "[[rule]]\nid='PRACTICE.A'\nseverity='fatal'\nmessage='m'\ndiagnoses=['A00']\n"
            "forbidden=true",
            "'severity' must be one of",
        ),
        (
            "[[rule]]\nid='PRACTICE.A'\nseverity='error'\nmessage='m'\nprocedures=['97110']",
            "exactly one condition",
        ),
        (
            "[[rule]]\nid='PRACTICE.A'\nseverity='error'\nmessage='m'\nprocedures=['97110']\n"
            "diagnoses=['A00']\nforbidden=true",
            "either 'procedures' or 'diagnoses'",
        ),
        (
            "[[rule]]\nid='PRACTICE.A'\nseverity='error'\nmessage='m'\ndiagnoses=['Z99-A00']\n"
            "forbidden=true",
            "not a valid code range",
        ),
        ("[[rule]]\nid='PRACTICE.A'\nseverity='error'\nmesage='m'", "unknown key(s) mesage"),
        ("[[severity]]\nrule='MUE.UNITS'\nseverity='loud'", "'severity' must be one of"),
        ("[payer]\nname='x'", "unknown section(s) payer"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_malformed_rules_files_name_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleTableError) as raised:
        load_custom_rules(path)
    assert problem in raised.value.user_message
    assert "rules.toml" in raised.value.user_message


def test_code_matcher_ranges_and_prefixes() -> None:
    matcher = CodeMatcher(["N40-N53", "Z3A", "M54.1-", "10004-69990", "G0168"])
    for code in ("N40.0", "N52.01", "N53.9", "Z3A.38", "M54.16", "20610", "G0168"):
        assert code in matcher, code
    for code in ("N39.0", "N54", "Z3", "M54.2", "99213", "G0169", "10003"):
        assert code not in matcher, code


def test_cli_rules_option_and_batch_keeps_going(
    tmp_path: Path, rules_file: Path, make_claim: Any
) -> None:
    batch = tmp_path / "claims.jsonl"
    good = acme(make_claim(["M54.50"], [{"code": "97110"}]))
    batch.write_text(
        json.dumps(good)
        + "\n{not json\n"
        + json.dumps({"diagnoses": "E11.9"})
        + "\n"
        + json.dumps(good)
        + "\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coderdesk",
            "validate",
            "--batch",
            str(batch),
            "--json",
            "--rules",
            str(rules_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert "PAYER.ACME.THERAPY_GP" in {f["rule"] for f in rows[0]["findings"]}
    assert rows[1]["error"].startswith("claim 2: not valid JSON")
    assert "'diagnoses' must be a list" in rows[2]["error"]
    assert rows[3] == rows[0]
    assert "2 claim(s) could not be read" in result.stderr


def test_claim_dates_birth_after_service_and_future_service(
    module_library: CodeSetLibrary, make_claim: Any
) -> None:
    engine = RuleEngine(module_library)
    born_later = make_claim(["I10"], patient={"dob": "2026-04-01", "sex": "F"})
    messages = [f.message for f in engine.validate(parse_claim(born_later))]
    assert "The patient's date of birth is after the date of service." in messages
    future = make_claim(["I10"], date_of_service="2999-01-01", lines=[{"from": "2999-01-01"}])
    dated = [f for f in engine.validate(parse_claim(future)) if f.rule == "CLAIM.DATES"]
    assert {f.message for f in dated} >= {"The date of service is in the future."}
