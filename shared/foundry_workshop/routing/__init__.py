"""Hybrid local/cloud routing (lesson 07): rules, a router with fallback, decision records, prices.

    from foundry_workshop import connect
    from foundry_workshop.routing import Router

    local = connect()                          # Foundry Local, the bundled model, ...
    cloud = connect(backend="azure")           # Azure AI Foundry Models
    # or: cloud, emulator = cloud_connection()  # real Azure if configured, else the local emulation
    router = Router(local, cloud)
    reply = router.chat.completions.create(messages=[...], task="research")
    router.records.to_markdown()               # what was decided, why, and what it cost
"""

from foundry_workshop.routing.cloud import cloud_connection
from foundry_workshop.routing.matrix import MatrixRow, decision_matrix, matrix_markdown
from foundry_workshop.routing.pricing import Price, PriceTable
from foundry_workshop.routing.records import Attempt, DecisionLog, DecisionRecord
from foundry_workshop.routing.router import Router, RoutingError, Target
from foundry_workshop.routing.rules import (
    CLOUD,
    DEFAULT_THRESHOLD_TOKENS,
    LOCAL,
    SEED_TASK_ROUTES,
    ComplexityRule,
    Decision,
    PrivacyRule,
    RouteRequest,
    Rule,
    TaskRule,
    default_rules,
)
from foundry_workshop.routing.tokens import (
    ApproxTokenCounter,
    LlamaCppTokenCounter,
    TokenCount,
    TokenCounter,
    token_counter_for,
)

__all__ = [
    "CLOUD", "DEFAULT_THRESHOLD_TOKENS", "LOCAL", "SEED_TASK_ROUTES", "ApproxTokenCounter", "Attempt",
    "ComplexityRule", "Decision", "DecisionLog", "DecisionRecord", "LlamaCppTokenCounter", "MatrixRow", "Price",
    "PriceTable", "PrivacyRule", "RouteRequest", "Router", "RoutingError", "Rule", "Target", "TaskRule",
    "TokenCount", "TokenCounter", "cloud_connection", "decision_matrix", "default_rules", "matrix_markdown",
    "token_counter_for",
]
