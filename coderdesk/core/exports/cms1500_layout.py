# SPDX-License-Identifier: GPL-3.0-or-later
"""Where everything goes on the CMS-1500 (02/12): the boxes and the data, in one table.

The form is printed on a 10-characters-per-inch, 6-lines-per-inch grid (NUCC print
guidance). Positions here are (column, line) on that grid, 1-based from the top left of
the 8.5 x 11 in page; `grid_to_points` turns them into PDF points. BOXES frames each
box (drawn in `form` mode and used by the tests to check that each datum lands in its
box); FIELDS places each datum inside its box; CHOICES are the tick boxes (drawn in
`form` mode, and where the X goes in both); SUBLABELS and RULES are the smaller print
and inner lines of the form; LINE_COLUMNS places the box 24 columns on each of the six
service lines, and BOX24_HEADINGS / BOX24_RULES are that table's headings and columns.
"""

from __future__ import annotations

from dataclasses import dataclass

POINTS_PER_INCH = 72
PAGE_WIDTH, PAGE_HEIGHT = 8.5 * POINTS_PER_INCH, 11 * POINTS_PER_INCH
COLUMN_WIDTH = POINTS_PER_INCH / 10
LINE_HEIGHT = POINTS_PER_INCH / 6
LEFT_MARGIN = 0.25 * POINTS_PER_INCH
TOP_MARGIN = 0.3 * POINTS_PER_INCH
LINES_PER_PAGE = 6
FIRST_SERVICE_LINE = 44  # the grid line of line 1's unshaded part (its shaded part is 43)


def grid_to_points(column: float, line: float) -> tuple[float, float]:
    """The PDF point (x, baseline y) of a grid cell."""
    x = LEFT_MARGIN + (column - 1) * COLUMN_WIDTH
    y = PAGE_HEIGHT - TOP_MARGIN - line * LINE_HEIGHT
    return x, y


@dataclass(frozen=True)
class Box:
    """A box of the form: its number and label, and its frame on the grid."""

    number: str
    label: str
    left: float  # columns
    top: float  # lines
    right: float
    bottom: float

    def holds(self, column: float, line: float) -> bool:
        """Whether a grid position lies inside the box."""
        return self.left <= column < self.right and self.top < line <= self.bottom


@dataclass(frozen=True)
class Field:
    """One datum: the box it belongs to, where it starts, how long it may be, alignment."""

    box: str
    column: float
    line: float
    width: int  # characters
    align: str = "left"  # left | right


BOXES = {
    box.number: box
    for box in (
        Box("carrier", "PAYER NAME AND ADDRESS", 45, 0, 82, 5),
        Box("1", "", 1, 6, 49, 8),
        Box("1a", "INSURED'S I.D. NUMBER", 49, 6, 82, 8),
        Box("2", "PATIENT'S NAME (Last Name, First Name, Middle Initial)", 1, 8, 30, 10),
        Box("3", "PATIENT'S BIRTH DATE / SEX", 30, 8, 49, 10),
        Box("4", "INSURED'S NAME (Last Name, First Name, Middle Initial)", 49, 8, 82, 10),
        Box("5", "PATIENT'S ADDRESS (No., Street) / CITY / STATE / ZIP CODE", 1, 10, 30, 16),
        Box("6", "PATIENT RELATIONSHIP TO INSURED", 30, 10, 49, 12),
        Box("7", "INSURED'S ADDRESS (No., Street) / CITY / STATE / ZIP CODE", 49, 10, 82, 16),
        Box("8", "RESERVED FOR NUCC USE", 30, 12, 49, 16),
        Box("9", "OTHER INSURED'S NAME", 1, 16, 30, 18),
        Box("9a", "OTHER INSURED'S POLICY OR GROUP NUMBER", 1, 18, 30, 20),
        Box("9b", "RESERVED FOR NUCC USE", 1, 20, 30, 22),
        Box("9c", "RESERVED FOR NUCC USE", 1, 22, 30, 24),
        Box("9d", "INSURANCE PLAN NAME OR PROGRAM NAME", 1, 24, 30, 26),
        Box("10", "IS PATIENT'S CONDITION RELATED TO:", 30, 16, 49, 24),
        Box("10d", "CLAIM CODES (Designated by NUCC)", 30, 24, 49, 26),
        Box("11", "INSURED'S POLICY GROUP OR FECA NUMBER", 49, 16, 82, 18),
        Box("11a", "INSURED'S DATE OF BIRTH / SEX", 49, 18, 82, 20),
        Box("11b", "OTHER CLAIM ID (Designated by NUCC)", 49, 20, 82, 22),
        Box("11c", "INSURANCE PLAN NAME OR PROGRAM NAME", 49, 22, 82, 24),
        Box("11d", "IS THERE ANOTHER HEALTH BENEFIT PLAN?", 49, 24, 82, 26),
        Box("12", "PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE", 1, 26, 49, 29),
        Box("13", "INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 49, 26, 82, 29),
        Box("14", "DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 1, 29, 22, 31),
        Box("15", "OTHER DATE", 22, 29, 49, 31),
        Box("16", "DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 49, 29, 82, 31),
        Box("17", "NAME OF REFERRING PROVIDER OR OTHER SOURCE", 1, 31, 36, 33),
        Box("17a", "", 36, 31, 49, 32),
        Box("17b", "NPI", 36, 32, 49, 33),
        Box("18", "HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 49, 31, 82, 33),
        Box("19", "ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", 1, 33, 49, 36),
        Box("20", "OUTSIDE LAB?", 49, 33, 82, 36),
        Box(
            "21",
            "DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)",
            1,
            36,
            60,
            41,
        ),
        Box("22", "RESUBMISSION CODE / ORIGINAL REF. NO.", 60, 36, 82, 38.5),
        Box("23", "PRIOR AUTHORIZATION NUMBER", 60, 38.5, 82, 41),
        Box("24", "", 1, 41, 82, 55),
        Box("25", "FEDERAL TAX I.D. NUMBER", 1, 55, 22, 57),
        Box("26", "PATIENT'S ACCOUNT NO.", 22, 55, 36, 57),
        Box("27", "ACCEPT ASSIGNMENT?", 36, 55, 47, 57),
        Box("28", "TOTAL CHARGE", 47, 55, 60, 57),
        Box("29", "AMOUNT PAID", 60, 55, 71, 57),
        Box("30", "RSVD FOR NUCC USE", 71, 55, 82, 57),
        Box("31", "SIGNATURE OF PHYSICIAN OR SUPPLIER INCLUDING DEGREES", 1, 57, 22, 62),
        Box("32", "SERVICE FACILITY LOCATION INFORMATION", 22, 57, 49, 61),
        Box("32a", "", 22, 61, 33, 62),
        Box("32b", "", 33, 61, 49, 62),
        Box("33", "BILLING PROVIDER INFO & PH #", 49, 57, 82, 61),
        Box("33a", "", 49, 61, 61, 62),
        Box("33b", "", 61, 61, 82, 62),
    )
}

FIELDS = {
    "payer_name": Field("carrier", 46, 2, 32),
    "payer_address": Field("carrier", 46, 3, 32),
    "payer_city": Field("carrier", 46, 4, 32),
    "insured_id": Field("1a", 50, 7.6, 29),
    "patient_name": Field("2", 2, 9.6, 28),
    "patient_dob": Field("3", 31, 9.6, 10),
    "insured_name": Field("4", 50, 9.6, 29),
    "patient_street": Field("5", 2, 11.6, 28),
    "patient_city": Field("5", 2, 13.6, 20),
    "patient_state": Field("5", 24, 13.6, 2),
    "patient_zip": Field("5", 2, 15.6, 10),
    "insured_street": Field("7", 50, 11.6, 29),
    "insured_city": Field("7", 50, 13.6, 22),
    "insured_state": Field("7", 74, 13.6, 2),
    "insured_zip": Field("7", 50, 15.6, 10),
    "insured_group": Field("11", 50, 17.6, 29),
    "insured_dob": Field("11a", 51, 19.6, 10),
    "patient_signature": Field("12", 7, 28.4, 20),
    "patient_signature_date": Field("12", 36, 28.4, 10),
    "insured_signature": Field("13", 55, 28.4, 20),
    "tax_id": Field("25", 2, 56.6, 15),
    "account": Field("26", 23, 56.6, 13),
    "total_charge": Field("28", 48, 56.6, 11, "right"),
    "amount_paid": Field("29", 61, 56.6, 9, "right"),
    "provider_signature": Field("31", 2, 60.6, 20),
    "provider_signature_date": Field("31", 2, 61.6, 10),
    "billing_name": Field("33", 50, 58.6, 31),
    "billing_street": Field("33", 50, 59.6, 31),
    "billing_city": Field("33", 50, 60.6, 31),
    "billing_npi": Field("33a", 52.2, 61.75, 10),
}


@dataclass(frozen=True)
class Choice:
    """A tick box: where its X goes (a one-character field) and the words beside it."""

    box: str
    column: float
    line: float
    label: str
    label_above: bool = False  # the words sit on the box's label line, over the tick


def _choices(box: str, line: float, *options: tuple[str, str, float]) -> dict[str, Choice]:
    return {name: Choice(box, column, line, label) for name, label, column in options}


CHOICES: dict[str, Choice] = {
    **_choices(
        "1",
        7.6,
        ("plan_medicare", "MEDICARE", 1.6),
        ("plan_medicaid", "MEDICAID", 7.9),
        ("plan_tricare", "TRICARE", 14.2),
        ("plan_champva", "CHAMPVA", 20.2),
        ("plan_group", "GROUP HEALTH PLAN", 26.4),
        ("plan_feca", "FECA BLK LUNG", 36.0),
        ("plan_other", "OTHER", 44.3),
    ),
    **_choices("3", 9.6, ("patient_sex_m", "M", 43.0), ("patient_sex_f", "F", 46.0)),
    **_choices(
        "6",
        11.6,
        ("relationship_self", "SELF", 30.8),
        ("relationship_spouse", "SPOUSE", 35.0),
        ("relationship_child", "CHILD", 40.2),
        ("relationship_other", "OTHER", 44.6),
    ),
    **_choices("10", 18.6, ("employment_yes", "YES", 33), ("employment_no", "NO", 39)),
    **_choices("10", 20.6, ("auto_accident_yes", "YES", 33), ("auto_accident_no", "NO", 39)),
    **_choices("10", 22.6, ("other_accident_yes", "YES", 33), ("other_accident_no", "NO", 39)),
    **_choices("11a", 19.6, ("insured_sex_m", "M", 70), ("insured_sex_f", "F", 76)),
    **_choices("11d", 25.6, ("other_plan_yes", "YES", 50.5), ("other_plan_no", "NO", 56)),
    **_choices("20", 35.0, ("outside_lab_yes", "YES", 50.5), ("outside_lab_no", "NO", 56)),
    "tax_id_ssn": Choice("25", 16.6, 56.6, "SSN", label_above=True),
    "tax_id_ein": Choice("25", 19.4, 56.6, "EIN", label_above=True),
    **_choices("27", 56.6, ("accept_assignment", "YES", 37), ("refuse_assignment", "NO", 42)),
    "icd_indicator": Choice("21", 50.5, 37.4, ""),  # holds 0 (ICD-10-CM), not an X
}
FIELDS.update({name: Field(c.box, c.column, c.line, 1) for name, c in CHOICES.items()})

# Smaller print inside boxes: (column, line of the baseline, text).
SUBLABELS: tuple[tuple[float, float, str], ...] = (
    (1.3, 12.5, "CITY"),
    (23.3, 12.5, "STATE"),
    (1.3, 14.5, "ZIP CODE"),
    (13.3, 14.5, "TELEPHONE (Include Area Code)"),
    (49.3, 12.5, "CITY"),
    (72.8, 12.5, "STATE"),
    (49.3, 14.5, "ZIP CODE"),
    (62.3, 14.5, "TELEPHONE (Include Area Code)"),
    (31.5, 9.0, "MM DD YY"),
    (30.3, 17.5, "a. EMPLOYMENT? (Current or Previous)"),
    (30.3, 19.5, "b. AUTO ACCIDENT?"),
    (43.5, 19.5, "PLACE (State)"),
    (30.3, 21.5, "c. OTHER ACCIDENT?"),
    (51.5, 19.0, "MM DD YY"),
    (62.0, 25.6, "If yes, complete items 9, 9a, and 9d."),
    (15.0, 30.6, "QUAL."),
    (22.3, 30.6, "QUAL."),
    (49.3, 30.6, "FROM"),
    (65.3, 30.6, "TO"),
    (49.3, 32.6, "FROM"),
    (65.3, 32.6, "TO"),
    (62.0, 34.6, "$ CHARGES"),
    (46.3, 37.4, "ICD Ind."),
    (60.3, 37.45, "CODE"),
    (68.3, 37.45, "ORIGINAL REF. NO."),
)
# Inner lines of boxes: (column, line) to (column, line).
RULES: tuple[tuple[float, float, float, float], ...] = (
    (1, 12, 30, 12),
    (1, 14, 30, 14),
    (23, 12, 23, 14),
    (13, 14, 13, 16),
    (49, 12, 82, 12),
    (49, 14, 82, 14),
    (72.5, 12, 72.5, 14),
    (62, 14, 62, 16),
    (68, 36.6, 68, 38.5),
)
# Diagnoses A-L in box 21: four to a row, three rows.
DIAGNOSIS_FIELDS = {
    letter: Field("21", 3 + 14 * (n % 4), 38.6 + n // 4, 8)
    for n, letter in enumerate("ABCDEFGHIJKL")
}
# Box 24's headings (column, line of the baseline, text) and the columns' dividers.
BOX24_HEADINGS: tuple[tuple[float, float, str], ...] = (
    (3.2, 41.6, "A.   DATE(S) OF SERVICE"),
    (1.3, 42.2, "From MM DD YY     To MM DD YY"),
    (18.2, 41.6, "B."),
    (18.2, 42.2, "POS"),
    (21.2, 41.6, "C."),
    (21.2, 42.2, "EMG"),
    (24.3, 41.6, "D. PROCEDURES, SERVICES, OR SUPPLIES"),
    (24.3, 42.2, "CPT/HCPCS        MODIFIER"),
    (44.5, 41.6, "E. DIAGNOSIS"),
    (44.5, 42.2, "POINTER"),
    (49.6, 41.6, "F."),
    (49.6, 42.2, "$ CHARGES"),
    (59.6, 41.6, "G. DAYS"),
    (59.6, 42.2, "OR UNITS"),
    (63.6, 41.6, "H."),
    (63.6, 42.2, "EPSDT"),
    (65.6, 41.6, "I. ID."),
    (65.6, 42.2, "QUAL."),
    (67.7, 41.6, "J. RENDERING"),
    (67.7, 42.2, "PROVIDER ID. #"),
)
# Dividers on each line's unshaded part: the columns A-J, the modifiers, the cents.
BOX24_RULES = (9.6, 18, 21, 24, 31.3, 34.3, 37.3, 40.3, 44.3, 49.3, 57.1, 59.3, 63.5, 65.5, 67.5)
# Dividers inside one column (from/to, the modifiers, the cents) that a heading spans.
BOX24_SUBCOLUMNS = (9.6, 31.3, 34.3, 37.3, 40.3, 57.1)
# Dividers that also cross the shaded part (24I and 24J keep their columns there).
BOX24_SHADED_RULES = (65.5, 67.5)

# Box 24 columns on a service line (unshaded part), and the shaded supplemental area.
LINE_COLUMNS = {
    "from": Field("24", 1.5, 0, 8),
    "to": Field("24", 10, 0, 8),
    "pos": Field("24", 19, 0, 2),
    "code": Field("24", 25, 0, 6),
    "modifier1": Field("24", 32, 0, 2),
    "modifier2": Field("24", 35, 0, 2),
    "modifier3": Field("24", 38, 0, 2),
    "modifier4": Field("24", 41, 0, 2),
    "pointer": Field("24", 45, 0, 4),
    "charge": Field("24", 50, 0, 9, "right"),
    "units": Field("24", 60, 0, 3, "right"),
    "npi": Field("24", 68, 0, 10),
}
SUPPLEMENTAL = Field("24", 1.5, -0.9, 60)


def service_line_field(name: str, index: int) -> Field:
    """A box 24 column on service line `index` (0-5) of a page."""
    column = LINE_COLUMNS[name]
    line = FIRST_SERVICE_LINE + 2 * index
    return Field(column.box, column.column, line, column.width, column.align)
