"""Values shown through ``label()`` (``enum:<value>`` msgids), listed once so the catalogue covers them."""

from __future__ import annotations

AUDIT_ACTIONS = [
    "create",
    "update",
    "delete",
    "login",
    "login_failed",
    "logout",
    "enqueue",
    "cancel",
    "password_changed",
    "import",
    "media.subtitles",
    "media.document",
    "remind",
]
SHOT_TRANSITIONS = ["start", "cut", "dissolve", "fade"]
SEARCH_FIELDS = ["title", "description", "tags", "people", "location", "collections", "shot"]
MEDIA_STEPS = ["probe", "pictures", "proxy", "ocr", "subtitles", "speech", "fingerprint", "done"]
ENTITY_TYPES = [
    "organisations", "users", "api_tokens", "jobs", "industry_enterprises", "industry_reports",
    "industry_parks", "industry_projects", "industry_project_years", "industry_targets",
    "industry_index_definitions", "industry_park_evaluations", "industry_products",
    "industry_product_figures", "industry_classifications", "industry_categories",
    "industry_milestones", "industry_ranking_schemes", "policy_documents", "policy_measures",
    "policy_parameters", "policy_applications", "policy_reviews", "policy_budgets", "policy_unit_routes",
    "policy_attachments", "policy_rounds", "policy_round_entries", "policy_round_experts",
    "policy_round_scores", "media_assets", "media_text_segments", "notifications",
    "notification_preferences", "unit_routes",
    "rights_certificates", "rights_works", "rights_holders", "rights_work_assets", "rights_title_events",
    "rights_matches", "rights_listings", "rights_offers", "rights_licences",
]  # fmt: skip
INBOX_DOMAINS = ["industry", "policy", "media", "rights"]
TARGET_SCHEMES = ["zj2024"]  # industry/data/targets-*.toml


def label_values() -> list[str]:
    from avbase.core.accounts.models import OrgKind, Role
    from avbase.core.inbox import Urgency
    from avbase.core.jobs.models import JobState
    from avbase.core.notifications.models import Delivery, EmailState
    from avbase.industry import models as industry
    from avbase.media.models import AssetState, TextSource
    from avbase.policy.models import ApplicationState, Decision, LedgerKind, RoundState
    from avbase.policy.rules import Outcome, RuleKind
    from avbase.rights import models as rights

    values = [
        *Role, *OrgKind, *JobState, *industry.Cluster, *industry.Tier, *industry.ParkLevel,
        *industry.ParkStatus, *industry.Recommendation, *industry.ProjectTier, *industry.ProjectStatus,
        *industry.PeriodKind,
        *industry.Normalisation, *industry.UnitLevel, *RuleKind, *Outcome,
        *ApplicationState, *Decision, *LedgerKind, *RoundState, *AssetState, *TextSource,
        *Urgency, *Delivery, *EmailState,
        *rights.WorkType, *rights.TitleEventKind, *rights.MatchState, *rights.MediaRight, *rights.OfferState,
    ]  # fmt: skip
    return (
        [str(value.value) for value in values]
        + AUDIT_ACTIONS
        + ENTITY_TYPES
        + SHOT_TRANSITIONS
        + MEDIA_STEPS
        + SEARCH_FIELDS
        + INBOX_DOMAINS
        + TARGET_SCHEMES
    )
