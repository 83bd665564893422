"""User-level 加算: which situation of a user's month earns each, and how many times.

The rule data name every 加算 with its level (rules/data/*.toml): ``office`` ones are
the office's 体制, declared in teichaku.toml (rules/amounts.py adds them); ``user``
ones name a ``condition``, and this registry says what each condition is. A
revision pays what its own items name, so no code asks "is this R3 or R6" or
"does this key exist": R3's 定着支援連携促進加算 names ``meeting_with_manager``
only, and R6 adds 地域連携会議実施加算（Ⅱ） with ``meeting_without_manager``.

- ``first_claimed_month``: 初期加算, once, in the first month that can be claimed
  since the service began, for a user from a sending office not run together with
  this one (就労系障害福祉サービスの概要, 初期加算「1回限り」; which month is
  rules/monthly.py's ``_first_claim_months``).
- ``lives_in_special_area``: 特別地域加算, each month, for a user living in a
  中山間地域等 (the 利用者 sheet's 特別地域).
- ``meeting_with_manager``: a case meeting the サービス管理責任者 attended, each one
  within the caps (R3 2の(3): the manager must attend; R6 2の(3): 加算（Ⅰ）).
- ``meeting_without_manager``: a case meeting a 就労定着支援員 attended without the
  manager and shared with them (R6 2の(3): 加算（Ⅱ）).

Which meetings count toward the caps (1 a month, 4 a fiscal year) follows: the
meetings some addition of the revision pays (``paid_meetings``). In R3 a meeting
without the manager earned nothing, so it used no room under the cap either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from teichaku_cli.base.errors import TeichakuError
from teichaku_cli.model.rulebook import USER

if TYPE_CHECKING:
    from teichaku_cli.model.rulebook import RuleSet, Value


@dataclass(frozen=True)
class UserMonthFacts:
    """What a user's month holds that a user-level 加算 may be earned by."""

    first_claimed_month: bool = False  # 初期加算 is due this month
    special_area: bool = False  # lives in a 特別地域
    meetings: tuple[bool, ...] = ()  # the month's meetings within the caps, in date order: True when the manager attended


@dataclass(frozen=True)
class Condition:
    says: str  # what earns it, for people
    times: Callable[[UserMonthFacts], int]
    attended: bool | None = None  # a meeting condition: the サービス管理責任者参加 it pays


CONDITIONS: dict[str, Condition] = {
    "first_claimed_month": Condition("一体的に運営する移行支援事業所等以外から受け入れた利用者の、請求できる最初の月（1回限り）", lambda f: int(f.first_claimed_month)),
    "lives_in_special_area": Condition("特別地域（中山間地域等）に住む利用者の月", lambda f: int(f.special_area)),
    "meeting_with_manager": Condition("サービス管理責任者が参加したケース会議1回ごと（上限の内）", lambda f: sum(f.meetings), attended=True),
    "meeting_without_manager": Condition(
        "サービス管理責任者が参加せず、就労定着支援員が参加して結果を共有したケース会議1回ごと（上限の内）",
        lambda f: sum(not m for m in f.meetings),
        attended=False,
    ),
}


class AdditionDataError(TeichakuError):
    pass


def condition_of(key: str, value: "Value") -> Condition:
    condition = CONDITIONS.get(value.condition)
    if condition is None:
        raise AdditionDataError(
            f"報酬データの加算「{value.label or key}」の条件「{value.condition}」を扱えません。",
            f"rules/data の condition は {'、'.join(CONDITIONS)} のいずれかにしてください",
        )
    return condition


def user_additions(rules: "RuleSet", facts: UserMonthFacts) -> list[str]:
    """The keys of the user-level 加算 a month earns under ``rules``, once per time earned."""
    keys: list[str] = []
    for key, value in rules.additions.items():
        if value.level == USER:
            keys += [key] * condition_of(key, value).times(facts)
    return keys


def paid_meetings(rules: "RuleSet") -> set[bool]:
    """The サービス管理責任者参加 values (True: attended) of meetings some 加算 of the
    revision pays: only those count toward the meeting caps."""
    return {
        condition.attended
        for key, value in rules.additions.items()
        if value.level == USER and (condition := condition_of(key, value)).attended is not None
    }
