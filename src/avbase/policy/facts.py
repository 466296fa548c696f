"""What the facts of the measures are called on forms (msgids; the rules use the names)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from avbase.core.i18n import N_, _

FACT_LABELS = {
    "assessed_amount": N_("Assessed amount (yuan)"),
    "eligible_cost": N_("Construction cost, excluding capital works (yuan)"),
    "recognition_level": N_("Recognised by"),
    "in_training_plan": N_("The course is in the training plan or teaching programme"),
    "rnd_expense": N_("R&D expense (yuan)"),
    "revenue": N_("Revenue (yuan)"),
    "first_of_kind": N_("A first-of-kind product (首台套 and the like)"),
    "single_source_case": N_("A single-source procurement case"),
    "first_product": N_("The first product tested and certified"),
    "certification_cost": N_("Testing and certification cost (yuan)"),
    "non_related_order_increase": N_("Increase in non-related orders this year (yuan)"),
    "granted_amount": N_("Amount set by the authority (yuan)"),
    "headquarters_level": N_("Headquarters"),
}
CHOICE_LABELS = {
    "recognition_level": {
        "municipal": N_("a municipal department"),
        "provincial": N_("a provincial department"),
        "national": N_("a national department"),
    },
    "headquarters_level": {"national": N_("national headquarters"), "regional": N_("regional headquarters")},
}

# The dated parameters of a measure (caps, rates, thresholds), and how their values read.
PARAMETER_LABELS = {
    "cap": N_("Cap (yuan)"),
    "rate": N_("Rate"),
    "share": N_("Threshold share"),
}
RATIOS = ("rate", "share")


def fact_label(name: str) -> str:
    return _(FACT_LABELS[name]) if name in FACT_LABELS else name


def fact_value(name: str, value: object) -> str:
    """A fact's value as people read it: a choice by its label, a flag as yes or no, money with separators."""
    text = str(value)
    if name in CHOICE_LABELS and text in CHOICE_LABELS[name]:
        return _(CHOICE_LABELS[name][text])
    if text in ("true", "True"):
        return _("yes")
    if text in ("false", "False"):
        return _("no")
    if FACT_LABELS.get(name, "").endswith("(yuan)"):
        try:
            return f"{Decimal(text.replace(',', '')):,.2f}"
        except InvalidOperation:
            return text
    return text


def parameter_label(name: str) -> str:
    return _(PARAMETER_LABELS[name]) if name in PARAMETER_LABELS else name


def parameter_value(name: str, value: str) -> str:
    """0.3 as 30 %, a cap as 5,000,000.00."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return value
    if name in RATIOS:
        return f"{amount * 100:g} %"
    return f"{amount:,.2f}"
