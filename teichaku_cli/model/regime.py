"""The office's 体制 over time, as typed values (office/regime.py reads them from
``teichaku.toml``): which 加算・減算 it holds in which months, the
福祉・介護職員等処遇改善加算 it holds (class and rate), and its 地域区分単価."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from teichaku_cli.base.dates import format_wareki_month

TREATMENT_KEY = "処遇改善加算"  # the teichaku.toml table of the 処遇改善加算


@dataclass(frozen=True)
class Months:
    """Whole months from ``first`` to ``last``, both included; None: open on that side."""

    first: date | None = None
    last: date | None = None

    def covers(self, month: date) -> bool:
        month = month.replace(day=1)
        return (self.first is None or self.first <= month) and (self.last is None or month <= self.last)

    def overlaps(self, other: "Months") -> bool:
        lo = max(self.first or date.min, other.first or date.min)
        hi = min(self.last or date.max, other.last or date.max)
        return lo <= hi

    @property
    def always(self) -> bool:
        return self.first is None and self.last is None

    def label(self) -> str:
        if self.always:
            return "全期間"
        return f"{format_wareki_month(self.first) if self.first else ''}〜{format_wareki_month(self.last) if self.last else ''}"


@dataclass(frozen=True)
class Switch:
    """An office 加算・減算 over time: off (no periods), always, or in some periods.
    ``name`` is the teichaku.toml key it was written under (for messages)."""

    periods: tuple[Months, ...] = ()
    name: str = ""

    def on(self, month: date) -> bool:
        return any(p.covers(month) for p in self.periods)

    @property
    def declared(self) -> bool:
        return bool(self.periods)


@dataclass(frozen=True)
class TreatmentImprovement:
    """The 処遇改善加算 the office holds in some months: the class on its 処遇改善計画書
    and the rate that goes with it (as the office wrote it, e.g. "10.3%")."""

    months: Months
    grade: str
    rate: Decimal  # 0.103 for "10.3%"
    written: str


@dataclass(frozen=True)
class UnitPrice:
    months: Months
    price: Decimal


@dataclass(frozen=True)
class Regime:
    """The office's 体制. ``switches`` are keyed by the rule KEY of the 加算・減算
    (``job_coach_staffing``, ``reduction_no_information_disclosure``): the rule data
    bind each teichaku.toml name to its key, so a display label may change freely."""

    switches: dict[str, Switch] = field(default_factory=dict)
    treatment: tuple[TreatmentImprovement, ...] = ()
    prices: tuple[UnitPrice, ...] = ()

    def on(self, key: str, month: date) -> bool:
        switch = self.switches.get(key)
        return switch is not None and switch.on(month)

    def treatment_on(self, month: date) -> TreatmentImprovement | None:
        return next((t for t in self.treatment if t.months.covers(month)), None)

    def price_on(self, month: date) -> Decimal | None:
        """The 地域区分単価 of a month; None when periods are written and none covers it."""
        return next((p.price for p in self.prices if p.months.covers(month)), None)

    def periods(self) -> list[tuple[str, Months]]:
        """Every dated period written (for checking them against the data's months)."""
        named = [(s.name, p) for s in self.switches.values() for p in s.periods if not p.always]
        named += [(TREATMENT_KEY, t.months) for t in self.treatment if not t.months.always]
        return named
