"""Scenario sets of inflow: generated from history (bootstrap), around the MPP
(lognormal), or the MPP bands themselves."""

from bekostiging.scenarios.generate import METHODS, generate, mpp_scenarios

__all__ = ["METHODS", "generate", "mpp_scenarios"]
