"""What the facts of the measures are called on forms (msgids; the rules use the names)."""

from __future__ import annotations

from avbase.core.i18n import N_

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
