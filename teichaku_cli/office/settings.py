"""Office settings from ``teichaku.toml``.

Looked for with ``--config``, else beside DATA (next to the workbook, or inside
the CSV folder), else in the current folder. Every key is optional.

    "事業所名" = "ひだまり就労定着センター"   # TOML needs quotes around Japanese keys
    "事業所番号" = "1312345678"
    "地域区分単価" = 11.20        # 円/単位 (the office's 地域区分)
    "指定日" = 2019-04-01
    "基本報酬区分" = "9割以上9割5分未満"  # optional: else computed from the data
    "就労定着実績体制加算" = true          # office-level 加算・減算: true / false / periods
    "情報公表未報告減算" = [{ "から" = "2025-04", "まで" = "2025-09" }]
    data = "office.xlsx"         # so commands run with no DATA argument

    ["処遇改善加算"]             # class and rate from the office's 処遇改善計画書 (office/regime.py)
    "区分" = "Ⅰ"
    "加算率" = "10.3%"
    [columns]                    # an export's own header → canonical header
    "利用者番号" = "利用者ID"
    [columns."支援記録"]          # only for one sheet
    "対応日" = "日付"
    [sheets]                   # an export's own sheet / CSV name → canonical
    "支援経過" = "支援記録"
    "支援記録 (2)" = ""          # a sheet kept as an archive: never read
    [templates]                # an office's restyled copies of the bundled templates
    "支援レポート" = "様式/支援レポート.xlsx"

(「事業主と共有する項目」 — the 支援レポート fields an employer copy may show — is a top-level
key, written above the first [table]: "事業主と共有する項目" = ["事業主の取組", "共有事項"].)
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from teichaku_cli.base.errors import Place, Problem, did_you_mean, near_misses
from teichaku_cli.model.settings import DEFAULT_UNIT_PRICE, Settings
from teichaku_cli.office.regime import PRICE_KEY, ConfigError, read_regime, refused_names, toml_keys
from teichaku_cli.model.schema import EMPLOYER_FIELDS, REPORT_FIELDS
from teichaku_cli.office.values import ValueProblem, control_problem, parse_date

CONFIG_NAME = "teichaku.toml"
EMPLOYER_FIELDS_KEY = "事業主と共有する項目"
TEMPLATE_KEYS = ("支援レポート", "支援レポート（事業主用）", "就労定着支援計画")

# Every top-level key teichaku.toml may hold. A key not listed here is reported
# with the nearest known one ("did you mean …"): a misspelt 加算 or 単価 must never
# be silently ignored. A new setting is added here; the office 体制 keys come from
# office/regime.py, whose 加算・減算 are the names the rule data of every revision let
# staff declare (it also checks the keys inside its tables); the tables
# [columns]/[sheets]/[templates] hold the office's own names, whose values are checked below.
SETTING_KEYS: tuple[str, ...] = ("事業所名", "事業所番号", "指定日", "基本報酬区分", EMPLOYER_FIELDS_KEY, "data")
TABLE_KEYS: tuple[str, ...] = ("columns", "sheets", "templates")


def known_keys() -> tuple[str, ...]:
    return (*SETTING_KEYS, *toml_keys(), *TABLE_KEYS)


def toml_escape(text: str) -> str:
    """``text`` for inside a TOML basic string ("…"): quotes, backslashes and
    control characters escaped, so a name like 「"ひだまり"」 still makes valid TOML."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def find_config(data: Path | None, explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"設定ファイル {explicit} が見つかりません。", "--config のパスを確かめてください")
        return explicit
    candidates = []
    if data is not None:
        candidates.append((data if data.is_dir() else data.parent) / CONFIG_NAME)
    candidates.append(Path.cwd() / CONFIG_NAME)
    return next((c for c in candidates if c.is_file()), None)


class _Reader:
    """Reads the raw TOML tables into Settings, collecting every problem with its line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.problems: list[Problem] = []

    def line_of(self, key: str, after: int = 0) -> int | None:
        pattern = re.compile(rf'^\s*(?:\[\s*)?(?:[\w.]*\.)?(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*(?:=|\]|\.)')
        for number, line in enumerate(self.lines[after:], start=after + 1):
            if pattern.search(line):
                return number
        return None

    def problem(self, key: str, message: str, fix: str = "", value: object = None, after: int = 0) -> None:
        shown = None if value is None else _shown(value)
        self.problems.append(
            Problem(Place(self.path.name, row=self.line_of(key, after), column=key), message, fix, value=shown, structural=True)
        )

    def unknown_keys(self, raw: dict, refused: dict[str, str]) -> None:
        known = known_keys()
        for key in raw:
            if key not in known and key not in refused:  # a 減算 that does not apply has its own message
                close = near_misses(key, known)
                self.problem(
                    key,
                    f"「{key}」という設定項目はありません（読みません）。{did_you_mean(close)}",
                    f"正しい項目名に直すか、不要なら消してください（# で始めればコメントです）。使える項目: {'、'.join(known)}",
                )

    def table(self, raw: dict, key: str, example: str) -> dict:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            self.problem(key, f"「{key}」は [{key}] の表で書いてください。", f"例: [{key}] の下に {example}", value)
            return {}
        return value

    def text_value(self, key: str, value: object, where: str, after: int = 0) -> str | None:
        if isinstance(value, str):
            return value
        self.problem(key, f"{where}「{key}」の値は \"…\" で囲んだ文字で書いてください。", f'例: "{key}" = "…"', value, after)
        return None


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:60] + "…"


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: UTF-8 で読めません。", "設定ファイルは UTF-8 で保存してください") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: 書式の誤りがあります（{exc}）。",
            '日本語の項目名は "事業所名" = "…" のように " で囲み、文字の値も " で囲んでください',
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: 読めません（{type(exc).__name__}）。", "ファイルの場所と権限を確かめてください") from None
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        raise ConfigError(f"{path}: 「data」はファイルかフォルダのパスを文字で書いてください（値: {_shown(data)}）。", 'data = "office.xlsx" のように " で囲んでください')
    regime = read_regime(raw, path)
    r = _Reader(path, text)
    r.unknown_keys(raw, refused_names())

    def text_key(key: str) -> str:
        value = raw.get(key, "")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # 事業所番号 = 1312345678
        text = r.text_value(key, value, "") or ""
        if problem := control_problem(text):  # it is printed and written into every document
            r.problem(key, f"「{key}」: {problem.message}", "見えない文字を消して書き直してください")
            return ""
        return text

    designated = raw.get("指定日")
    try:
        designated = parse_date(designated) if designated is not None else None
    except ValueProblem as exc:
        r.problem("指定日", f"指定日: {exc.message}", exc.fix, raw.get("指定日"))
        designated = None

    from teichaku_cli.model import schema

    every_column = [c.name for t in schema.TABLES for c in t.columns]
    columns: dict[str, str] = {}
    sheet_columns: dict[str, dict[str, str]] = {}
    for key, value in r.table(raw, "columns", '"利用者番号" = "利用者ID"').items():
        if isinstance(value, dict):  # [columns."支援記録"]: only for one sheet
            table = schema.TABLES_BY_NAME.get(key)
            if table is None:
                r.problem(key, f"[columns.\"{key}\"] の「{key}」という表はありません。{did_you_mean(near_misses(key, schema.TABLES_BY_NAME))}", f"表の名前は {'、'.join(schema.TABLES_BY_NAME)} です")
                continue
            own = [c.name for c in table.columns]
            mapped = {}
            for header, target in value.items():
                target = _column_target(r, header, target, own, f"[columns.\"{key}\"]", r.line_of(key) or 0)
                if target is not None:
                    mapped[str(header)] = target
            sheet_columns[key] = mapped
        else:
            target = _column_target(r, key, value, every_column, "[columns]", r.line_of("columns") or 0)
            if target is not None:
                columns[str(key)] = target
    sheets: dict[str, str] = {}
    after = r.line_of("sheets") or 0
    for key, value in r.table(raw, "sheets", '"Sheet1" = "利用者"').items():
        target = r.text_value(key, value, "[sheets] の", after)
        if target is None:
            continue
        if target.strip() == "":  # "支援記録 (2)" = "": a sheet the office keeps (an archive), never read
            sheets[str(key)] = ""
            continue
        if target not in schema.TABLES_BY_NAME:
            r.problem(key, f"[sheets] の「{key}」の読み先「{target}」という表はありません。{did_you_mean(near_misses(target, schema.TABLES_BY_NAME))}", f"表の名前は {'、'.join(schema.TABLES_BY_NAME)} です", after=after)
            continue
        sheets[str(key)] = target
    templates: dict[str, Path] = {}
    after = r.line_of("templates") or 0
    for key, value in r.table(raw, "templates", '"支援レポート" = "自事業所の様式.xlsx"').items():
        if key not in TEMPLATE_KEYS:
            r.problem(key, f"[templates] の「{key}」という様式はありません。{did_you_mean(near_misses(key, TEMPLATE_KEYS))}", f"様式は {'、'.join(TEMPLATE_KEYS)} です", after=after)
            continue
        target = r.text_value(key, value, "[templates] の", after)
        if target is not None:
            templates[key] = path.parent / target
    return Settings(
        office_name=text_key("事業所名"),
        office_number=text_key("事業所番号"),
        unit_price=float(regime.prices[-1].price) if regime.prices else DEFAULT_UNIT_PRICE,
        unit_price_set=PRICE_KEY in raw,
        designated_on=designated,
        data=(path.parent / data) if data else None,
        columns=columns,
        sheet_columns=sheet_columns,
        sheets=sheets,
        base_tier=text_key("基本報酬区分"),
        regime=regime,
        templates=templates,
        employer_fields=_employer_fields(raw, path),
        path=path,
        problems=tuple(r.problems),
    )


def _column_target(r: _Reader, header: object, target: object, known: list[str], where: str, after: int) -> str | None:
    """The canonical column an export's header is mapped to, or None (and a problem)."""
    name = r.text_value(str(header), target, f"{where} の", after)
    if name is None:
        return None
    if name not in known:
        r.problem(
            str(header),
            f"{where} の「{header}」の読み先「{name}」という列はありません。{did_you_mean(near_misses(name, known))}",
            "右側には teichaku の見出し（docs/data-format.md）を書いてください",
            after=after,
        )
        return None
    return name


def _employer_fields(raw: dict, path: Path) -> tuple[str, ...]:
    """The 支援レポート fields an employer copy may show: a list of names from
    REPORT_FIELDS; not written means the default two. Anything else is refused: a
    misspelt field must not quietly share, or quietly stop sharing."""
    value = raw.get(EMPLOYER_FIELDS_KEY)
    if value is None:
        return EMPLOYER_FIELDS
    allowed = " / ".join(REPORT_FIELDS)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: 「{EMPLOYER_FIELDS_KEY}」は項目名の一覧で書いてください（値: {value}）。", f'例: "{EMPLOYER_FIELDS_KEY}" = ["事業主の取組", "共有事項"]（選べる項目: {allowed}）')
    unknown = [v for v in value if v not in REPORT_FIELDS]
    if unknown:
        raise ConfigError(f"{path}: 「{EMPLOYER_FIELDS_KEY}」の「{'」「'.join(unknown)}」は支援レポートの項目ではありません。", f"次から選んでください: {allowed}")
    return tuple(dict.fromkeys(value))
