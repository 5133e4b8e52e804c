"""PlanBridge: published Last Planner plans as a token-secured feed."""

__version__ = "0.1.0"
