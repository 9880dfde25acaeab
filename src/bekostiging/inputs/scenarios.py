"""A validated scenario set: inflow per scenario x period x category, probabilities, provenance.

Part of :mod:`bekostiging.schema` (which re-exports every name).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bekostiging.inputs.base import PROBABILITY_TOLERANCE, Category, Strict, param
from bekostiging.inputs.case import Case


class Provenance(Strict):
    method: Literal["mpp", "bootstrap", "lognormal", "mpp-error", "logar", "manual"] = Field(
        description="How the set was made"
    )
    seed: int | None = Field(None, description="Random seed (generated sets)")
    source: str = Field(min_length=1, description="Data the set was derived from")
    created: date = Field(description="Date of the data vintage the set was made from")
    generator: str = Field("", description="Tool and version that generated the set")
    notes: str = Field("", description="Free text")


class ScenarioInfo(Strict):
    scenario: str = Field(min_length=1)
    probability: float = param(unit="probability", description="Scenario probability", ge=0.0, le=1.0)
    description: str = ""


class ScenarioSet(BaseModel):
    """Inflow per scenario x period x category, with probabilities and provenance.

    ``inflow_persons`` has shape (scenarios, periods, categories) in the order of
    ``scenarios``, ``periods`` and ``categories``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(min_length=1)
    provenance: Provenance
    scenarios: tuple[ScenarioInfo, ...] = Field(min_length=1)
    periods: tuple[str, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = tuple(Category)
    inflow_persons: np.ndarray
    housing_persons: np.ndarray | None = None
    """Housing outflow of status holders (persons per period), shape (scenarios, periods);
    ``None``: the case's ``series.housing_outflow_persons`` in every scenario."""

    @model_validator(mode="after")
    def _consistent(self) -> ScenarioSet:
        shape = (len(self.scenarios), len(self.periods), len(self.categories))
        if self.inflow_persons.shape != shape:
            raise ValueError(f"inflow array has shape {self.inflow_persons.shape}, expected {shape}")
        if self.housing_persons is not None:
            if self.housing_persons.shape != shape[:2]:
                raise ValueError(
                    f"housing array has shape {self.housing_persons.shape}, expected {shape[:2]}"
                )
            if not np.all(np.isfinite(self.housing_persons)) or np.any(self.housing_persons < 0):
                raise ValueError("housing outflow must be finite numbers >= 0 persons")
        if not np.all(np.isfinite(self.inflow_persons)):
            raise ValueError("inflow must be finite numbers")
        if np.any(self.inflow_persons < 0):
            raise ValueError("inflow must be >= 0 persons")
        total = sum(s.probability for s in self.scenarios)
        if abs(total - 1.0) > PROBABILITY_TOLERANCE:
            raise ValueError(f"probabilities sum to {total:.12g}, must sum to 1 (within 1e-9)")
        names = [s.scenario for s in self.scenarios]
        if len(set(names)) != len(names):
            raise ValueError("scenario names must be unique")
        return self

    @property
    def probabilities(self) -> np.ndarray:
        return np.array([s.probability for s in self.scenarios])

    @property
    def names(self) -> list[str]:
        return [s.scenario for s in self.scenarios]

    def check_fits(self, case: Case) -> None:
        """Raise ValueError unless the set covers exactly the case's periods."""
        if list(self.periods) != case.periods:
            raise ValueError(
                f"scenario set {self.name!r} covers periods {self.periods[0]}..{self.periods[-1]} "
                f"({len(self.periods)}), the case needs {case.periods[0]}..{case.periods[-1]} "
                f"({len(case.periods)})"
            )

    def subset(self, names: list[str], name: str | None = None) -> ScenarioSet:
        """A set of some scenarios, probabilities renormalised."""
        idx = [self.names.index(n) for n in names]
        total = sum(self.scenarios[i].probability for i in idx)
        infos = tuple(
            self.scenarios[i].model_copy(update={"probability": self.scenarios[i].probability / total})
            for i in idx
        )
        return ScenarioSet(
            name=name or f"{self.name}[{','.join(names)}]",
            provenance=self.provenance,
            scenarios=infos,
            periods=self.periods,
            categories=self.categories,
            inflow_persons=self.inflow_persons[idx].copy(),
            housing_persons=None if self.housing_persons is None else self.housing_persons[idx].copy(),
        )
