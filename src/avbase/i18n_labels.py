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
MEDIA_STEPS = ["probe", "pictures", "proxy", "ocr", "subtitles", "speech", "fingerprint", "review", "done"]
ENTITY_TYPES = [
    "organisations", "users", "api_tokens", "jobs", "industry_enterprises", "industry_reports",
    "industry_parks", "industry_projects", "industry_project_years", "industry_targets",
    "industry_index_definitions", "industry_park_evaluations", "industry_products",
    "industry_product_figures", "industry_classifications", "industry_categories",
    "industry_milestones", "industry_ranking_schemes", "policy_documents", "policy_measures",
    "policy_parameters", "policy_applications", "policy_reviews", "policy_budgets", "policy_unit_routes",
    "policy_attachments", "policy_rounds", "policy_round_entries", "policy_round_experts",
    "policy_round_scores", "media_assets", "media_text_segments", "notifications",
    "notification_preferences", "unit_routes", "review_profiles", "review_term_packs",
    "review_term_pack_versions", "review_reports", "review_findings",
    "rights_certificates", "rights_works", "rights_holders", "rights_work_assets", "rights_title_events",
    "rights_matches", "rights_listings", "rights_offers", "rights_licences",
    "chain_bookings", "chain_claim_events", "chain_claims", "chain_contract_parties",
    "chain_contract_terms", "chain_contracts", "chain_crew", "chain_party_statements",
    "chain_producer_briefs", "chain_production_companies", "chain_productions", "chain_quote_requests",
    "chain_quotes", "chain_reconciliations", "chain_resources", "chain_runs", "chain_scenes",
    "chain_script_coverage", "chain_script_interest", "chain_script_reads", "chain_scripts",
    "chain_shooting_days", "chain_statement_imports", "chain_tasks", "chain_titles", "chain_windows",
    "eco_access_requests", "eco_api_keys", "eco_contest_tasks", "eco_contests", "eco_experts",
    "eco_ranking_schemes", "eco_ratings", "eco_resource_files", "eco_resource_versions", "eco_resources",
    "eco_submissions", "eco_talent_demands", "eco_team_members", "eco_teams", "industry_import_templates",
    "industry_index_bulletins", "industry_index_points", "ledger_accounts", "ledger_postings",
    "ledger_transactions", "media_uploads", "policy_ledger", "review_work_changes", "review_work_comments",
    "review_work_departments", "review_work_versions", "review_works",
]  # fmt: skip
# review: finding kinds, statuses, term severities, sources of text and job steps
REVIEW_VALUES = [
    "loudness", "true_peak", "short_term", "black", "freeze", "silence", "silent_channel", "clipping",
    "flash", "pattern", "term", "open", "accepted", "false_positive", "high", "medium", "low", "qc",
    "metadata", "terms", "still",
]  # fmt: skip
# The production chain: scene time and setting, crew roles, coverage criteria, resource facts, audit events.
CHAIN_LABELS = [
    "day", "night", "dawn", "dusk", "int", "ext", "int/ext", "chain.script.read",
    "director", "dop", "gaffer", "sound_mixer", "editor", "actor", "art_director", "producer",
    "coverage.premise", "coverage.structure", "coverage.characters", "coverage.dialogue", "coverage.market",
    "resource.area_m2", "resource.height_m", "resource.led_volume", "resource.power_kw", "resource.permits",
    "resource.contact", "resource.photos", "resource.credits", "resource.roles", "resource.items",
    "resource.shots_per_month", "resource.standards", "resource.formats", "resource.languages",
    "chain_resources", "chain_bookings", "chain_quote_requests", "chain_quotes", "chain_productions",
    "chain_production_companies", "chain_crew", "chain_shooting_days", "chain_scenes", "chain_tasks",
    "chain_scripts", "chain_script_reads", "chain_script_coverage", "chain_script_interest",
    "chain_producer_briefs",
]  # fmt: skip
TARGET_SCHEMES = ["zj2024"]  # industry/data/targets-*.toml
# What a job reports as its progress (``ctx.progress(fraction, message)``), shown through ``|label`` on every
# page that lists jobs; the media steps, review's "qc" and "terms" and the demo's steps are listed with their
# own kinds above.
JOB_MESSAGES = ["reading the submission", "running the code", "scored"]
JOB_KINDS = [
    "audit.export",
    "demo.load",
    "industry.import",
    "media.analyse",
    "notifications.email",
    "review.check",
]
CHAIN_VALUES = [
    "duplicate", "amount_differs", "quantity_differs", "missing", "unexpected",
    "chain_titles", "chain_windows", "chain_contracts", "chain_contract_parties", "chain_contract_terms",
    "chain_statement_imports", "chain_runs", "chain_party_statements", "chain_reconciliations",
    "chain_claims", "chain_claim_events", "ledger_accounts", "ledger_transactions", "ledger_postings",
]  # fmt: skip
INBOX_DOMAINS = ["industry", "policy", "media", "ecosystem", "rights", "review"]


def label_values() -> list[str]:
    from avbase.chain.distribution.models import Channel, ContractState, TitleKind
    from avbase.chain.production.models import ProductionStage, TaskStatus
    from avbase.chain.resources import models as resources
    from avbase.chain.scripts.models import InterestKind, ReadStatus, Recommendation, WorkKind
    from avbase.chain.settlement.models import ClaimState, RunState
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
        *resources.ResourceKind, *resources.Trade, *resources.BookingStatus, *resources.QuoteRequestStatus,
        *resources.QuoteStatus, *ProductionStage, *TaskStatus,
        *WorkKind, *ReadStatus, *Recommendation, *InterestKind,
        *TitleKind, *Channel, *ContractState, *RunState, *ClaimState,
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
        + CHAIN_LABELS
        + TARGET_SCHEMES
        + JOB_KINDS
        + JOB_MESSAGES
        + REVIEW_VALUES
        + CHAIN_VALUES
    )
