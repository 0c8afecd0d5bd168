# SPDX-License-Identifier: GPL-3.0-or-later
"""The query compliance check: compliant queries pass, each prohibited case is flagged."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from coderdesk.core.queries.lint import can_issue, lint_query
from coderdesk.core.queries.model import QueryFormatError, parse_query

if TYPE_CHECKING:
    from pathlib import Path

OTHER = "Other (please specify): ________"
UNDETERMINED = "Clinically undetermined"


def indicator(text: str, source: str = "Progress note", date: str = "2026-03-12") -> dict[str, str]:
    return {"text": text, "source": source, "date": date}


def choice(question: str, *options: str, **extra: Any) -> dict[str, Any]:
    return {
        "trigger": extra.pop("trigger", "imprecise"),
        "format": "multiple_choice",
        "question": question,
        "options": [*options, OTHER, UNDETERMINED],
        "indicators": extra.pop("indicators", [indicator("Hgb 7.1 g/dL", "Lab report")]),
        **extra,
    }


def open_ended(question: str, **extra: Any) -> dict[str, Any]:
    return {
        "trigger": extra.pop("trigger", "incomplete"),
        "format": "open_ended",
        "question": question,
        "indicators": extra.pop("indicators", [indicator("BMI 42.3", "Vital signs")]),
        **extra,
    }


def yes_no(question: str, documented: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "trigger": extra.pop("trigger", "conflicting"),
        "format": "yes_no",
        "question": question,
        "documented": documented,
        "indicators": extra.pop(
            "indicators", [indicator("Pneumonia, per ED physician", "ED note", "2026-03-10")]
        ),
        **extra,
    }


COMPLIANT = [
    choice(
        "Based on your clinical judgment, can the type of anemia be further specified?",
        "Acute blood loss anemia",
        "Anemia of chronic kidney disease",
        "Iron deficiency anemia",
    ),
    choice(
        "Please clarify the type of heart failure being treated.",
        "Chronic diastolic (HFpEF) heart failure",
        "Chronic systolic (HFrEF) heart failure",
        "Acute on chronic diastolic heart failure",
        indicators=[indicator("EF 55%", "Echo report"), indicator("BNP 850", "Lab report")],
    ),
    choice(
        "Can the nutritional status be further described?",
        "Severe protein-calorie malnutrition",
        "Moderate protein-calorie malnutrition",
        "Mild protein-calorie malnutrition",
        "No malnutrition",
    ),
    choice(
        "What is the laterality of the knee osteoarthritis treated today?",
        "Right knee",
        "Left knee",
        "Bilateral knees",
        trigger="incomplete",
    ),
    choice(
        "What stage best describes the chronic kidney disease?",
        "Stage 2",
        "Stage 3a",
        "Stage 3b",
        "Stage 4",
        trigger="imprecise",
        indicators=[indicator("eGFR 38 mL/min", "Lab report")],
    ),
    choice(
        "The record shows both type 1 and type 2 diabetes. Which is being treated?",
        "Type 1 diabetes mellitus",
        "Type 2 diabetes mellitus",
        "Diabetes due to an underlying condition",
        trigger="conflicting",
    ),
    choice(
        "Is the pressure injury stage documentable from your examination?",
        "Stage 2 pressure injury",
        "Stage 3 pressure injury",
        "Unstageable pressure injury",
        indicators=[indicator("Sacral wound 3 x 2 cm, slough", "Wound care note")],
    ),
    choice(
        "Can the cause of the altered mental status be clarified?",
        "Metabolic encephalopathy",
        "Toxic encephalopathy",
        "Dementia without behavioral disturbance",
        "Delirium due to a known physiological condition",
    ),
    choice(
        "Please clarify the acuity of the respiratory condition.",
        "Acute respiratory failure with hypoxia",
        "Chronic respiratory failure",
        "Hypoxemia without respiratory failure",
        indicators=[indicator("SpO2 86% on room air", "Nursing flowsheet")],
    ),
    choice(
        "Was the condition present when the patient was admitted?",
        "Present on admission",
        "Not present on admission",
        trigger="incomplete",
    ),
    choice(
        "Which organism was identified as the cause of the urinary tract infection?",
        "Escherichia coli",
        "Klebsiella pneumoniae",
        "Enterococcus faecalis",
        indicators=[indicator("Urine culture >100,000 CFU E. coli", "Microbiology report")],
    ),
    choice(
        "Can the type of hyponatremia be specified?",
        "Hypovolemic hyponatremia",
        "Euvolemic hyponatremia (SIADH)",
        "Dilutional hyponatremia",
    ),
    open_ended(
        "Based on the indicators above, can the patient's weight-related condition be "
        "further described?"
    ),
    open_ended(
        "Please clarify the etiology of the documented neuropathy.",
        indicators=[indicator("Decreased sensation both feet", "Podiatry note")],
    ),
    open_ended(
        "The handwritten entry of 03/11 cannot be read. What was documented?",
        trigger="illegible",
        indicators=[indicator("Illegible handwritten order", "Order sheet", "2026-03-11")],
    ),
    open_ended("What condition was the wound debridement performed for?"),
    open_ended(
        "Can you clarify the clinical significance of the abnormal potassium value?",
        indicators=[indicator("K 5.9 mmol/L", "Lab report")],
    ),
    open_ended(
        "The diagnosis of sepsis is documented. Please describe the clinical findings "
        "that support it.",
        trigger="clinically_unsupported",
        indicators=[indicator("WBC 9.1, afebrile, lactate 1.1", "Lab report")],
    ),
    yes_no(
        "Pneumonia is documented by the ED physician. Do you agree with pneumonia as a "
        "diagnosis for this encounter?",
        ["pneumonia"],
    ),
    yes_no(
        "Was the documented pressure injury present on admission?",
        ["pressure injury"],
        trigger="incomplete",
    ),
    yes_no(
        "Is the documented hypertension related to the chronic kidney disease?",
        ["hypertension", "chronic kidney disease"],
        trigger="ambiguous",
    ),
    yes_no(
        "Is the documented encephalopathy still being treated at discharge?",
        ["encephalopathy"],
        trigger="ambiguous",
    ),
]

PROHIBITED = [
    (
        choice(
            "Documenting acute blood loss anemia would add an MCC. Can the anemia be specified?",
            "Acute blood loss anemia",
            "Anemia of chronic disease",
        ),
        "QUERY.IMPACT",
    ),
    (
        choice(
            "To improve the DRG, what type of heart failure?",
            "Acute systolic heart failure",
            "Chronic systolic heart failure",
        ),
        "QUERY.IMPACT",
    ),
    (
        open_ended("Can the diagnosis be clarified for risk adjustment (HCC) purposes?"),
        "QUERY.IMPACT",
    ),
    (
        open_ended("Specifying this improves the payment for the stay; what is the diagnosis?"),
        "QUERY.IMPACT",
    ),
    (open_ended("Please clarify the severity of illness for this admission."), "QUERY.IMPACT"),
    (open_ended("This affects our quality measures. What is the condition?"), "QUERY.IMPACT"),
    (open_ended("To avoid a denial on audit, what condition was treated?"), "QUERY.IMPACT"),
    (open_ended("Please document malnutrition in your progress note."), "QUERY.LEADING"),
    (open_ended("Consider adding sepsis to the final diagnoses."), "QUERY.LEADING"),
    (
        open_ended("It appears the patient has acute kidney injury; can you add it?"),
        "QUERY.LEADING",
    ),
    (open_ended("Would you agree that the patient has encephalopathy?"), "QUERY.LEADING"),
    (
        open_ended("The indicators support a diagnosis of sepsis. What is your assessment?"),
        "QUERY.LEADING",
    ),
    (
        {
            **choice("What type of anemia?", "Acute blood loss anemia"),
            "options": ["Acute blood loss anemia"],
        },
        "QUERY.SINGLE_OPTION",
    ),
    (
        {
            **choice("What type of anemia?"),
            "options": ["Acute blood loss anemia", OTHER, UNDETERMINED],
        },
        "QUERY.OPTIONS",
    ),
    (
        {
            **choice("What type of anemia?"),
            "options": ["Acute blood loss anemia", "Anemia of chronic disease", UNDETERMINED],
        },
        "QUERY.NO_OTHER",
    ),
    (
        {
            **choice("What type of anemia?"),
            "options": ["Acute blood loss anemia", "Anemia of chronic disease", OTHER],
        },
        "QUERY.NO_UNDETERMINED",
    ),
    (
        choice(
            "Can the malnutrition be described further?",
            "Severe protein-calorie malnutrition",
            "Acute severe malnutrition",
        ),
        "QUERY.ESCALATION",
    ),
    (
        choice(
            "Can the heart failure be specified?",
            "Acute on chronic systolic heart failure",
            "Acute diastolic heart failure",
        ),
        "QUERY.ESCALATION",
    ),
    (yes_no("Does the patient have sepsis?", ["pneumonia"]), "QUERY.YES_NO_NEW"),
    (yes_no("Is acute respiratory failure present?", []), "QUERY.YES_NO_NEW"),
    ({**open_ended("What condition was treated?"), "indicators": []}, "QUERY.NO_INDICATOR"),
    (
        open_ended("What condition was treated?", indicators=[{"text": "Lactate 4.2"}]),
        "QUERY.INDICATOR_SOURCE",
    ),
    (
        open_ended(
            "What condition was treated?",
            indicators=[{"text": "Lactate 4.2", "source": "Lab report"}],
        ),
        "QUERY.INDICATOR_SOURCE",
    ),
    (open_ended(""), "QUERY.NO_QUESTION"),
]


@pytest.mark.parametrize("raw", COMPLIANT, ids=lambda raw: raw["question"][:40])
def test_compliant_queries_pass(raw: dict[str, Any]) -> None:
    findings = lint_query(parse_query(raw))
    assert can_issue(findings), [f.message for f in findings]
    assert not findings, [f.message for f in findings]


@pytest.mark.parametrize(("raw", "check"), PROHIBITED, ids=lambda v: str(v)[:40])
def test_each_prohibited_case_is_flagged_with_a_reason(raw: dict[str, Any], check: str) -> None:
    findings = lint_query(parse_query(raw))
    assert check in {f.check for f in findings}
    assert not can_issue(findings)
    assert all(f.reason for f in findings)


def test_enough_cases_of_each_kind() -> None:
    assert len(COMPLIANT) >= 20
    assert len(PROHIBITED) >= 20


def test_units_and_range_of_motion_are_not_money_or_metrics() -> None:
    raw = open_ended("After 500 cc of fluid and with decreased ROM, what condition was treated?")
    assert lint_query(parse_query(raw)) == []


def test_malformed_queries_list_every_problem() -> None:
    with pytest.raises(QueryFormatError) as raised:
        parse_query({"trigger": "curious", "format": "essay", "question": 3, "options": "x"})
    message = raised.value.user_message
    for part in (
        "'trigger' must be one of",
        "'format' must be one of",
        "'question' must be text",
        "'options' must be a list",
    ):
        assert part in message


def test_cli_lint(tmp_path: Path) -> None:
    path = tmp_path / "query.json"
    path.write_text(json.dumps(PROHIBITED[7][0]), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "coderdesk", "query", "lint", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["can_issue"] is False
    assert "QUERY.LEADING" in {f["check"] for f in report["findings"]}
    text = subprocess.run(
        [sys.executable, "-m", "coderdesk", "query", "lint", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "ERROR" in text.stdout
    assert "cannot be issued" in text.stdout
