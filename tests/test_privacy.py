"""Employer copies cannot leak. Generated offices with a private string planted in
every column and field: for every employer copy produced, no part of the file
(cells, shared strings, comments, headers/footers, sheet names, defined names,
document properties, external-link parts) and not its file name holds a string the
user did not agree to share with *that* employer; no copy exists for クローズ,
non-consent, unreadable disclosure, or a job not in force in the month. From xlsx
and from CP932 CSV. Then the gates themselves: headers that only look right,
duplicated columns, blanks, file names, templates that carry more than a template."""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import write_csvs, write_xlsx

MONTH = date(2025, 10, 1)
TODAY = "2025-11-05"
OFFICE = "テスト就労定着支援センター"


def token(*parts: object) -> str:
    """A unique private string: it can only reach a file by being copied into it."""
    return "秘" + "".join(str(p) for p in parts) + "密"


def everything(path: Path) -> str:
    """Every part of an xlsx, as text, and its file name."""
    with zipfile.ZipFile(path) as zf:
        return path.name + "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())


class Office:
    """Builds the tables user by user, recording which strings each employer may see."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {k: [] for k in ("利用者", "就労履歴", "支援記録", "支援レポート", "支援計画")}
        self.allowed: dict[tuple[str, str], set[str]] = {}  # (user, employer) → strings that copy may hold
        self.planted: set[str] = set()
        self.copies: set[tuple[str, str]] = set()  # (user, employer) that must get a copy

    def plant(self, *parts: object) -> str:
        t = token(*parts)
        self.planted.add(t)
        return t

    def user(self, uid: str, **columns) -> dict:
        row = {
            "利用者ID": uid, "氏名": f"利用者{uid}", "利用開始日": date(2024, 10, 1), "担当者": f"担当{uid}",
            "備考": self.plant(uid, "利用者備考"), "服薬": self.plant(uid, "服薬の列"), **columns,
        }
        self.tables["利用者"].append(row)
        self.tables["支援計画"].append({"利用者ID": uid, "作成日": date(2025, 9, 1), **{f: self.plant(uid, "計画", f) for f in ("健康状態", "生活環境", "評価", "長期目標")}})
        return row

    def job(self, uid: str, employer: str, hired: date, left: date | None = None, disclosure="オープン", consent="あり", since=None) -> None:
        self.tables["就労履歴"].append({
            "利用者ID": uid, "事業主": employer, "就職日": hired, "離職日": left, "障害開示": disclosure,
            "事業主共有同意": consent, "事業主共有同意日": since, "離職理由": self.plant(uid, employer, "離職理由"), "備考": self.plant(uid, employer, "就労備考"),
        })

    def entry(self, uid: str, day: date, shareable: bool, employer: str | None = None, to: tuple[str, ...] = ()) -> None:
        """A support entry; ``to``: the employers whose copy may show it."""
        content, result = self.plant(uid, day, "内容"), self.plant(uid, day, "結果")
        self.tables["支援記録"].append({
            "日付": day, "利用者ID": uid, "方法": "対面", "相手": "本人", "区分": self.plant(uid, day, "区分"), "担当者": self.plant(uid, day, "記録者"),
            "内容": content, "結果": result, "事業主共有": "可" if shareable else "不可", "事業主": employer, "メモ": self.plant(uid, day, "メモ"),
        })
        for e in to:
            self.allowed.setdefault((uid, e), set()).update({content, result})

    def report(self, uid: str, employer: str | None = None, shared_on: date | None = None, to: tuple[str, ...] = ()) -> None:
        fields = {f: self.plant(uid, "レポート", f) for f in ("主な支援目標", "今後の支援内容", "本人の取組", "事業主の取組", "共有事項")}
        fields["本人の取組"] = self.plant(uid, "服薬と睡眠記録を続ける")
        self.tables["支援レポート"].append({"利用者ID": uid, "対象月": MONTH, "本人提供日": date(2025, 10, 31), "事業主共有日": shared_on, "事業主": employer, **fields, "作成者": f"作成{uid}"})
        for e in to:  # the declared fields only (the default: 事業主の取組 and 共有事項)
            self.allowed.setdefault((uid, e), set()).update({fields["事業主の取組"], fields["共有事項"]})

    def expect_copy(self, uid: str, employer: str) -> None:
        self.copies.add((uid, employer))
        self.allowed.setdefault((uid, employer), set())


def scenario() -> Office:
    o = Office()
    # A: one job, open, consent: the 可 entries and the two declared fields
    o.user("A01")
    o.job("A01", "甲商事", date(2024, 4, 1))
    o.entry("A01", date(2025, 10, 3), True, to=("甲商事",))
    o.entry("A01", date(2025, 10, 9), False)
    o.report("A01", shared_on=date(2025, 10, 31), to=("甲商事",))
    o.expect_copy("A01", "甲商事")
    # B: a job change in the month; each employer sees only its own 可 entries, and no report field
    # (the row names no employer and the month has two jobs). The visit to the old 上司 and the talk
    # about why the person left (while at the old job) never reach the new employer.
    o.user("B02")
    o.job("B02", "旧工業", date(2024, 4, 1), left=date(2025, 10, 10))
    o.job("B02", "新物流", date(2025, 10, 20))
    o.entry("B02", date(2025, 10, 5), True, to=("旧工業",))  # the visit to the old 上司
    o.entry("B02", date(2025, 10, 9), True, employer="旧工業", to=("旧工業",))  # why the person is leaving
    o.entry("B02", date(2025, 10, 25), True, to=("新物流",))
    o.entry("B02", date(2025, 10, 27), True, employer="新物流", to=("新物流",))
    o.entry("B02", date(2025, 10, 15), True)  # between the jobs: nobody's
    o.report("B02")
    o.expect_copy("B02", "旧工業")
    o.expect_copy("B02", "新物流")
    # C–F: no copy at all: closed, no consent, blank consent, blank disclosure
    for uid, disclosure, consent in (("C03", "クローズ", "なし"), ("D04", "オープン", "なし"), ("E05", "オープン", None), ("F06", None, "あり")):
        o.user(uid)
        o.job(uid, f"勤務{uid}", date(2024, 4, 1), disclosure=disclosure, consent=consent)
        o.entry(uid, date(2025, 10, 7), True)
        o.report(uid)
    # G: consent from 10-15: entries before it are not shared; the report fields are (consent by month end)
    o.user("G07")
    o.job("G07", "丙食品", date(2024, 4, 1), since=date(2025, 10, 15))
    o.entry("G07", date(2025, 10, 14), True)
    o.entry("G07", date(2025, 10, 15), True, to=("丙食品",))
    o.report("G07", shared_on=date(2025, 10, 31), to=("丙食品",))
    o.expect_copy("G07", "丙食品")
    # H: no job in force in October (left in September, re-employed in November): no copy
    o.user("H08")
    o.job("H08", "丁運輸", date(2024, 4, 1), left=date(2025, 9, 30))
    o.job("H08", "戊製作所", date(2025, 11, 10))
    o.entry("H08", date(2025, 10, 8), True)
    o.report("H08")
    # I: the report row names the new employer in a month of two jobs: its fields go to that copy only
    o.user("I09")
    o.job("I09", "己電機", date(2024, 4, 1), left=date(2025, 10, 12))
    o.job("I09", "庚薬品", date(2025, 10, 13))
    o.entry("I09", date(2025, 10, 20), True, to=("庚薬品",))
    o.report("I09", employer="庚薬品", shared_on=date(2025, 10, 31), to=("庚薬品",))
    o.expect_copy("I09", "己電機")
    o.expect_copy("I09", "庚薬品")
    # K: consent withdrawn on a later row of the same employer (なし from 10-16): no copy at all,
    # not of the entry made while consent held, nor of the report written after the withdrawal
    o.user("K10")
    o.job("K10", "辛工務店", date(2024, 4, 1), left=date(2025, 10, 15))
    o.job("K10", "辛工務店", date(2025, 10, 16), consent="なし")
    o.entry("K10", date(2025, 10, 5), True)
    o.entry("K10", date(2025, 10, 20), True)
    o.report("K10", employer="辛工務店")
    # L: the same withdrawal, recorded from a day after the month: the copy is made after it
    o.user("L11")
    o.job("L11", "壬ガス", date(2024, 4, 1), left=date(2025, 11, 2))
    o.job("L11", "壬ガス", date(2025, 11, 3), consent="なし")
    o.entry("L11", date(2025, 10, 5), True)
    o.report("L11")
    # P: consent from the month's last day: that day's entry and the report fields are shared
    o.user("P12")
    o.job("P12", "癸商会", date(2024, 4, 1), since=date(2025, 10, 31))
    o.entry("P12", date(2025, 10, 30), True)
    o.entry("P12", date(2025, 10, 31), True, to=("癸商会",))
    o.report("P12", shared_on=date(2025, 10, 31), to=("癸商会",))
    o.expect_copy("P12", "癸商会")
    # Q: consent from the next month's first day: a copy, with nothing of October in it
    o.user("Q13")
    o.job("Q13", "子精機", date(2024, 4, 1), since=date(2025, 11, 1))
    o.entry("Q13", date(2025, 10, 31), True)
    o.report("Q13")
    o.expect_copy("Q13", "子精機")
    return o


def employer_template():
    """The bundled employer-copy template, opened for a test to spoil."""
    import openpyxl

    from teichaku_cli.documents.bundled import EMPLOYER_REPORT, bundled

    return openpyxl.load_workbook(bundled(EMPLOYER_REPORT))


def employer_copies_with(invoke, tmp_path: Path, template, out: Path | None = None):
    """report --for employer on the scenario's October with ``template`` (a workbook
    is saved first): the run every template test makes."""
    if not isinstance(template, Path):
        path = tmp_path / "template.xlsx"
        template.save(path)
        template = path
    data = write(scenario(), tmp_path / "office", "csv")
    return invoke("report", data, "--month", "2025-10", "--for", "employer", "--template", template, "--out", out or tmp_path / "o")


def write(o: Office, folder: Path, kind: str, encoding: str = "cp932") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {k: v for k, v in o.tables.items() if v or k == "支援記録"}
    if not tables["支援記録"]:  # a required table: one phone call, never shared
        tables["支援記録"] = [{"日付": date(2025, 10, 2), "利用者ID": tables["利用者"][0]["利用者ID"], "方法": "電話", "相手": "本人", "内容": "電話", "事業主共有": "不可"}]
    (folder / "teichaku.toml").write_text(f'"事業所名" = "{OFFICE}"\n', encoding="utf-8")
    if kind == "xlsx":
        return write_xlsx(folder / "office.xlsx", tables)
    return write_csvs(folder, tables, encoding=encoding)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_no_employer_copy_holds_what_that_employer_may_not_see(invoke, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = scenario()
    data = write(o, tmp_path / "office", kind)
    assert invoke("validate", data).exit_code == 0
    out = tmp_path / "out"
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", out)
    assert result.exit_code == 1, result.output  # E05 and F06: a blank consent or disclosure is data to fill in
    assert "就労履歴シート" in result.output and "行目）が空欄か読めない" in result.output  # … and says where
    made = {}
    for path in out.glob("*.xlsx"):
        m = re.fullmatch(r"2025-10_(\w+)_利用者\w+_事業主用_(.+)\.xlsx", path.name)
        assert m, path.name
        made[(m[1], m[2])] = path
    assert set(made) == o.copies  # none for closed, no consent, blank, unknown, or no job in the month
    for (uid, employer), path in made.items():
        text = everything(path)
        allowed = o.allowed[(uid, employer)]
        leaked = sorted(t for t in o.planted - allowed if t in text)
        assert not leaked, (path.name, leaked[:5])
        missing = sorted(t for t in allowed if t not in text)
        assert not missing, (path.name, missing)  # what may be shared is shared
        other_employers = {e for _, e in o.copies if e != employer} | {"勤務C03", "勤務D04", "丁運輸", "戊製作所"}
        assert not [e for e in other_employers if e in text], path.name
        assert "本人確認" not in text and "服薬と睡眠記録を続ける" not in text
    nothing = everything(made[("B02", "旧工業")])
    assert "共有する記録はありません" not in nothing  # it holds the 10-05 entry
    assert "共有する記録はありません" in everything(made[("Q13", "子精機")])
    # what a template could show is its context, whatever the bundled template shows of it
    from teichaku_cli.documents.build import EMPLOYER_COPY, report_jobs
    from teichaku_cli.office.load import read_office

    contexts = {(j.user_id, j.context["employer"]): repr(j.context) for j in report_jobs(read_office(data), MONTH, EMPLOYER_COPY, out, None, MONTH) if j.context}
    assert set(contexts) == o.copies
    for key, text in contexts.items():
        leaked = sorted(t for t in o.planted - o.allowed[key] if t in text)
        assert not leaked, (key, leaked[:5])
    assert "作成せず" in result.output and "クローズ" in result.output and "同意していない" in result.output


def test_the_user_copy_still_shows_what_is_never_shared(invoke, tmp_path, monkeypatch):
    """An entry marked 可 in a クローズ job is not an error: it is simply never shared."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = scenario()
    data = write(o, tmp_path / "office", "csv")
    result = invoke("report", data, "--month", "2025-10", "--user", "C03", "--out", tmp_path / "u")
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "u").glob("*.xlsx")
    assert token("C03", date(2025, 10, 7), "内容") in everything(path)


def test_a_copy_with_nothing_to_share_says_so(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("N01")
    o.job("N01", "辛建設", date(2024, 4, 1))
    o.entry("N01", date(2025, 10, 3), False)
    data = write(o, tmp_path / "office", "csv")
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "o").glob("*.xlsx")
    assert "共有する記録はありません" in everything(path)


# --- the gates ------------------------------------------------------------------------------


def gate_office(tmp_path, headers: list[str], values: list[object], config: str = "") -> Path:
    """One user whose 利用者 row uses ``headers`` for disclosure/consent (a CP932 CSV export)."""
    folder = tmp_path / "gate"
    folder.mkdir(parents=True, exist_ok=True)
    head = ["利用者ID", "氏名", "就職日", "事業主", "利用開始日", *headers]
    row = ["0001", "利用者0001", "2024-04-01", "壬商店", "2024-10-01", *values]
    (folder / "利用者.csv").write_bytes((",".join(head) + "\r\n" + ",".join(map(str, row)) + "\r\n").encode("cp932"))
    (folder / "支援記録.csv").write_bytes("日付,利用者ID,方法,相手,内容,事業主共有\r\n2025-10-03,0001,対面,本人,様子を聞く,可\r\n".encode("cp932"))
    (folder / "teichaku.toml").write_text(config, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "headers, values, why, disclosure_known",
    [
        (["障害開示の有無", "事業主共有同意"], ["オープン", "あり"], "障害開示の有無", False),  # a look-alike name
        (["障害開示", "事業主共有同意", "障害開示"], ["", "あり", "オープン"], "2つあります", False),  # twice, the first blank
        (["障害開示", "共有の同意"], ["オープン", "あり"], "共有の同意", True),  # consent unreadable: disclosure still known
        (["事業主共有同意"], ["あり"], "「障害開示」の列がありません", False),
    ],
    ids=["lookalike", "duplicated", "consent-lookalike", "missing"],
)
def test_a_gate_header_that_cannot_be_read_closes_the_gate(invoke, tmp_path, monkeypatch, headers, values, why, disclosure_known):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    data = gate_office(tmp_path, headers, values)
    checked = invoke("validate", data)
    assert checked.exit_code == 0 and "注意" in checked.output and why in checked.output, checked.output
    assert "[columns]" in checked.output or "消すか" in checked.output
    report = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert report.exit_code == 2 and "1件も作りませんでした" in report.output, report.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())
    check = invoke("check", data, "--month", "2025-10", "--json")
    assert check.exit_code in (0, 1), check.output  # the claim check goes on
    import json

    payload = json.loads(check.stdout)
    codes = {f["code"] for u in payload["users"] for f in u["findings"]}
    assert "employer-report-share-missing" not in codes  # sharing is never asked for without a readable consent
    # an unknown disclosure: the employer is not asked for at all, and one note says why
    assert ("employer-contact-missing" in codes) is disclosure_known
    assert any(f["code"] == "employer-disclosure-unknown" for f in payload["office_findings"]) is not disclosure_known


def test_naming_the_column_in_the_config_opens_it_again(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    data = gate_office(tmp_path, ["障害開示の有無", "事業主共有同意"], ["オープン", "あり"], '[columns]\n"障害開示の有無" = "障害開示"\n')
    assert "障害開示の有無" not in invoke("validate", data).output
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0 and len(list((tmp_path / "o").glob("*.xlsx"))) == 1, result.output


def test_a_blank_or_unreadable_disclosure_means_no_copy_and_one_note(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    for value, words in (("", "空欄か読めない"), ("たぶん", "空欄か読めない")):
        data = gate_office(tmp_path / value, ["障害開示", "事業主共有同意"], [value, "あり"])
        report = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / value / "o")
        # not made, and a data problem to fix (exit 1), unlike クローズ or なし (the person's choice: exit 0)
        assert report.exit_code == 1 and words in report.output and "作成 0件" in report.output, report.output
        assert "（利用者シート 2行目）が空欄か読めない" in report.output
        check = invoke("check", data, "--month", "2025-10")
        assert "障害開示が空欄か読めない利用者が1人" in check.output and "事業主との連絡なし" not in check.output


@pytest.mark.parametrize(
    "disclosure, consent, code, words",
    [
        ("オープン", "", 1, "との共有への同意（利用者シート 2行目）が空欄か読めない"),
        ("オープン", "たぶん", 1, "との共有への同意（利用者シート 2行目）が空欄か読めない"),
        ("オープン", "なし", 0, "との共有に本人が同意していない（なし）"),
        ("クローズ", "", 0, "障害を開示していない（クローズ）"),
    ],
    ids=["blank-consent", "unreadable-consent", "no-consent", "closed"],
)
def test_a_consent_to_fill_in_exits_1_and_the_persons_no_exits_0(invoke, tmp_path, monkeypatch, disclosure, consent, code, words):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    data = gate_office(tmp_path, ["障害開示", "事業主共有同意"], [disclosure, consent])
    report = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert report.exit_code == code and words in report.output and "作成 0件、作成せず 1件" in report.output, report.output


def test_a_share_date_for_a_closed_or_non_consenting_job_is_an_error(invoke, tmp_path):
    o = Office()
    o.user("S01")
    o.job("S01", "癸物産", date(2024, 4, 1), disclosure="クローズ", consent="なし")
    o.report("S01", shared_on=date(2025, 10, 31))
    data = write(o, tmp_path / "office", "xlsx")
    result = invoke("validate", data)
    assert result.exit_code == 1 and "シート「支援レポート」 2行目" in result.output and "事業主共有日" in result.output and "クローズ" in result.output


@pytest.mark.parametrize("offset", [-1, 0, 1], ids=["day-before-consent", "day-of-consent", "day-after-consent"])
def test_a_share_date_before_the_consent_date_is_an_error(invoke, tmp_path, offset):
    """Nothing is shared before the 事業主共有同意日: a report shared the day before is an
    error naming the row; on the day of consent and after, nothing is said."""
    consent = date(2025, 10, 15)
    o = Office()
    o.user("S01")
    o.job("S01", "癸物産", date(2024, 4, 1), since=consent)
    o.report("S01", shared_on=consent + timedelta(days=offset))
    result = invoke("validate", write(o, tmp_path / "office", "xlsx"))
    if offset < 0:
        assert result.exit_code == 1 and "シート「支援レポート」 2行目 D列「事業主共有日」: 値「2025-10-14」" in result.output, result.output
        assert "癸物産との共有への同意（令和7年10月15日）より前の日付です" in result.output, result.output
    else:
        assert result.exit_code == 0 and "事業主共有日" not in result.output, result.output


@pytest.mark.parametrize("disclosure, consent", [(None, "あり"), ("オープン", None)], ids=["blank-disclosure", "blank-consent"])
def test_a_share_date_for_a_job_with_a_blank_gate_is_said_on_the_report_row(invoke, tmp_path, disclosure, consent):
    """Blank is not "yes": a report marked as shared on such a job cannot be known to
    have been allowed, and the row itself says so (a warning; the blank cell is another)."""
    o = Office()
    o.user("S01")
    o.job("S01", "癸物産", date(2024, 4, 1), disclosure=disclosure, consent=consent)
    o.report("S01", shared_on=date(2025, 10, 31))
    result = invoke("validate", write(o, tmp_path / "office", "xlsx"))
    assert result.exit_code == 0, result.output  # warnings only
    assert "シート「支援レポート」 2行目" in result.output and "共有してよかったか確かめられません" in result.output, result.output


# --- one person, one file ---------------------------------------------------------------------


def test_ids_a_file_name_cannot_hold_never_share_a_file(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    for uid in ("U001", "U/001", "U:001"):
        o.user(uid, 氏名="同じ 名前")
        o.job(uid, "子商会", date(2024, 4, 1))
        o.entry(uid, date(2025, 10, 3), True, to=("子商会",))
    data = write(o, tmp_path / "office", "xlsx")
    out = tmp_path / "o"
    result = invoke("report", data, "--month", "2025-10", "--out", out)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert len(names) == 3 and "2025-10_U001_同じ名前_本人用.xlsx" in names
    for path in out.glob("*.xlsx"):  # each person's file holds that person's entry
        uid = next(u for u in ("U/001", "U:001", "U001") if token(u, date(2025, 10, 3), "内容") in everything(path))
        assert (uid == "U001") == (path.name == "2025-10_U001_同じ名前_本人用.xlsx")
    again = tmp_path / "again"
    invoke("report", data, "--month", "2025-10", "--out", again)
    assert sorted(p.name for p in again.glob("*.xlsx")) == names  # the same names next time: --force replaces that person's file


def test_two_users_on_one_file_name_is_refused_before_writing(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    for uid in ("ab1", "AB1"):  # Windows folds case: one file
        o.user(uid, 氏名="同名")
        o.job(uid, "丑興業", date(2024, 4, 1))
    data = write(o, tmp_path / "office", "xlsx")
    result = invoke("report", data, "--month", "2025-10", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "同じファイル名" in result.output, result.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_file_names_hold_no_control_or_direction_characters_and_fit(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("R01", 氏名="名前\u202eexe.txt" + "長" * 200)
    o.job("R01", "寅" * 300, date(2024, 4, 1))
    data = write(o, tmp_path / "office", "csv", encoding="utf-8")  # CP932 cannot hold U+202E
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    (path,) = (tmp_path / "o").glob("*.xlsx")
    assert not re.search("[\u0000-\u001f\u202a-\u202e\u2066-\u2069]", path.name)
    assert len(path.name.encode("utf-8")) <= 160
    assert "\u202e" not in result.output and "\u0007" not in result.output


# --- templates carry nothing but the template -------------------------------------------------


def _template_with(tmp_path: Path, **parts: str) -> Path:
    """The bundled employer template with extra zip parts / edits."""
    from teichaku_cli.documents.bundled import EMPLOYER_REPORT, bundled

    path = tmp_path / "様式.xlsx"
    with zipfile.ZipFile(bundled(EMPLOYER_REPORT)) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    for name, text in parts.items():
        key = name.replace("__", "/").replace("_xml", ".xml").replace("_rels", "_rels")
        items[key] = text.encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    return path


def test_a_template_linked_to_another_workbook_is_refused(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    from teichaku_cli.documents.bundled import EMPLOYER_REPORT, bundled

    with zipfile.ZipFile(bundled(EMPLOYER_REPORT)) as zf:
        items = {n: zf.read(n) for n in zf.namelist()}
    book = items["xl/workbook.xml"].decode()
    items["xl/workbook.xml"] = book.replace("</sheets>", '</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>').encode()
    rels = items["xl/_rels/workbook.xml.rels"].decode()
    items["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>',
    ).encode()
    items["xl/externalLinks/externalLink1.xml"] = (
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="台帳"/></sheetNames><sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="str">'
        "<v>他人の病歴のキャッシュ</v></cell></row></sheetData></sheetDataSet></externalBook></externalLink>"
    ).encode()
    items["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
        'Target="file:///\\\\server\\share\\台帳.xlsx" TargetMode="External"/></Relationships>'
    ).encode()
    types = items["[Content_Types].xml"].decode()
    items["[Content_Types].xml"] = types.replace(
        "</Types>", '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>'
    ).encode()
    template = tmp_path / "linked.xlsx"
    with zipfile.ZipFile(template, "w") as zf:
        for name, data in items.items():
            zf.writestr(name, data)
    result = employer_copies_with(invoke, tmp_path, template)
    assert result.exit_code == 2 and "外部ブックへのリンク" in result.output and "リンクの解除" in result.output, result.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_a_template_with_a_hidden_sheet_is_refused(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    wb = employer_template()
    hidden = wb.create_sheet("控え")
    hidden["A1"] = "他の人の連絡先一覧"
    hidden.sheet_state = "hidden"
    result = employer_copies_with(invoke, tmp_path, wb)
    assert result.exit_code == 2 and "非表示のシート（控え）" in result.output, result.output


def test_names_properties_and_comments_of_a_template_stay_out_of_the_copies(invoke, tmp_path, monkeypatch):
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName

    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    wb = employer_template()
    wb.properties.creator = "前任者の名前X1"
    wb.properties.title = "旧様式の題名X2"
    wb.defined_names["旧名前X3"] = DefinedName("旧名前X3", attr_text="'支援レポート（事業主用）'!$A$1")
    wb.active["A1"].comment = Comment("内部メモX4", "作成者X5")
    result = employer_copies_with(invoke, tmp_path, wb)
    assert result.exit_code == 1 and "作成 " in result.output, result.output  # 1: the scenario's blank gates
    for path in (tmp_path / "o").glob("*.xlsx"):
        text = everything(path)
        assert not [m for m in ("X1", "X2", "X3", "X4", "X5") if m in text], path.name


def test_a_loop_over_a_huge_range_stops_with_the_cell_named(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    template = tmp_path / "loop.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "様式"
    wb.active["A3"] = "{% for i in range(99999) %}"
    wb.active["B4"] = "{{ i }}"
    wb.active["A5"] = "{% endfor %}"
    wb.save(template)
    data = write(scenario(), tmp_path / "office", "csv")
    result = invoke("report", data, "--month", "2025-10", "--user", "A01", "--template", template, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "A3" in result.output and "5,000行" in result.output, result.output


# --- the declared fields --------------------------------------------------------------------------


def test_declared_fields_decide_what_of_the_report_is_shared(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("K01")
    o.job("K01", "卯文具", date(2024, 4, 1))
    o.report("K01", shared_on=date(2025, 10, 31))
    data = write(o, tmp_path / "office", "csv")
    (data / "teichaku.toml").write_text('"事業主と共有する項目" = ["本人の取組"]\n', encoding="utf-8")
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    text = everything(next((tmp_path / "o").glob("*.xlsx")))
    assert token("K01", "服薬と睡眠記録を続ける") in text  # declared: shared
    assert token("K01", "レポート", "事業主の取組") not in text and token("K01", "レポート", "共有事項") not in text
    (data / "teichaku.toml").write_text('"事業主と共有する項目" = ["本人の取り組み"]\n', encoding="utf-8")
    refused = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o2")
    assert refused.exit_code == 2 and "本人の取り組み" in refused.output and "本人の取組" in refused.output


def test_the_docs_list_exactly_what_an_employer_copy_can_hold(tmp_path):
    """docs/templates.md names every name an employer copy's template can use, and no more."""
    from teichaku_cli.documents import build

    docs = (Path(__file__).resolve().parents[1] / "docs" / "templates.md").read_text(encoding="utf-8")
    block = docs.split("### 支援レポート（事業主用）で使える名前", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    documented = set(block.split())

    class Settings:
        employer_fields = ("事業主の取組", "共有事項")
        office_name, office_number = "", ""

    class FakeOffice:
        settings = Settings()

    from teichaku_cli.base.dates import month_end
    from teichaku_cli.model import sharing
    from teichaku_cli.model.history import Job, WorkingLife

    job = Job("辰社", date(2024, 4, 1), None, "オープン", True, None, "就労履歴", 2)
    (copy,) = sharing.employer_copies(WorkingLife((job,), True), MONTH, month_end(MONTH))
    context = build._employer_context(
        FakeOffice(), {"office": {"name": "", "number": ""}, "month": MONTH, "author": "", "created": MONTH},
        {"氏名": "x", "担当者": "y"}, copy, [], [], MONTH,
    )
    names = set()
    for key, value in context.items():
        if isinstance(value, dict) and key != "report":
            names |= {f"{key}.{k}" for k in value}
        elif key == "report":
            names.add("report.<共有する項目>")
        else:
            names.add(key)
    assert names == documented


def test_validate_names_each_blank_gate_cell(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("V01")
    o.job("V01", "巳工房", date(2024, 4, 1), disclosure=None)
    o.user("V02")
    o.job("V02", "午工房", date(2024, 4, 1), consent=None)
    o.user("V03")
    o.job("V03", "未工房", date(2024, 4, 1), disclosure="クローズ", consent=None)  # closed: consent is moot
    data = write(o, tmp_path / "office", "xlsx")
    result = invoke("validate", data)
    assert result.exit_code == 0, result.output
    assert "シート「就労履歴」 2行目" in result.output and "障害開示が空欄" in result.output
    assert "シート「就労履歴」 3行目" in result.output and "事業主共有同意が空欄" in result.output
    assert "4行目" not in result.output


def test_the_config_cannot_move_one_column_onto_another(invoke, tmp_path, monkeypatch):
    """[columns] "本人の取組" = "共有事項" would print the private field as a shared one."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("M01")
    o.job("M01", "申物産", date(2024, 4, 1))
    o.report("M01", shared_on=date(2025, 10, 31))
    data = write(o, tmp_path / "office", "csv")
    (data / "teichaku.toml").write_text('[columns]\n"本人の取組" = "共有事項"\n', encoding="utf-8")
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "「本人の取組」の列の名前です" in result.output, result.output
    assert not (tmp_path / "o").exists()


def test_a_look_alike_beside_the_gate_column_closes_it_too(invoke, tmp_path, monkeypatch):
    """A withdrawal recorded in its own column, an employer column under another name on the log,
    a consent date under a form's own name: none is guessed past."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    cases = [
        ("利用者", "同意撤回日", "2025-05-01"),
        ("利用者", "障害開示（現在）", "クローズ"),
        ("支援記録", "事業主名", "旧商事"),
        ("就労履歴", "同意年月日", "2025-10-20"),
    ]
    for table, header, value in cases:
        o = Office()
        o.user("W01")
        o.job("W01", "酉商店", date(2024, 4, 1))
        o.entry("W01", date(2025, 10, 3), True)
        tables = {k: [dict(r) for r in v] for k, v in o.tables.items() if v}
        tables[table][0][header] = value
        folder = tmp_path / header
        write_csvs(folder, tables, encoding="cp932")
        checked = invoke("validate", folder)
        assert "注意" in checked.output and header in checked.output, (header, checked.output)
        report = invoke("report", folder, "--month", "2025-10", "--for", "employer", "--out", folder / "o")
        assert report.exit_code == 2 and "1件も作りませんでした" in report.output, (header, report.output)


def test_a_rehire_by_the_same_employer_in_the_month_makes_one_copy(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("J01")
    o.job("J01", "亥ホテル", date(2024, 4, 1), left=date(2025, 10, 1))
    o.job("J01", "亥ホテル", date(2025, 10, 20))
    o.entry("J01", date(2025, 10, 25), True, to=("亥ホテル",))
    o.user("J02")  # another person's copy is made as well
    o.job("J02", "子商事", date(2024, 4, 1))
    data = write(o, tmp_path / "office", "csv")
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "o").glob("*.xlsx"))
    assert names == ["2025-10_J01_利用者J01_事業主用_亥ホテル.xlsx", "2025-10_J02_利用者J02_事業主用_子商事.xlsx"]


def test_two_report_rows_for_a_month_must_each_name_an_employer(invoke, tmp_path):
    o = Office()
    o.user("T01")
    o.job("T01", "丑通商", date(2024, 4, 1))
    o.report("T01")
    o.report("T01")
    data = write(o, tmp_path / "office", "xlsx")
    result = invoke("validate", data)
    assert result.exit_code == 1 and "シート「支援レポート」 3行目" in result.output and "2行あります" in result.output, result.output


def test_a_template_with_hidden_rows_or_columns_is_refused(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    wb = employer_template()
    wb.active["Z1"] = "社外秘の控え"
    wb.active.column_dimensions["Z"].hidden = True
    result = employer_copies_with(invoke, tmp_path, wb)
    assert result.exit_code == 2 and "非表示の行・列（Z列）" in result.output, result.output


def test_a_history_sheet_under_another_common_name_is_read(invoke, tmp_path, monkeypatch):
    """An office's 「職歴」 sheet is its 就労履歴: left unread, every job would be the latest."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = scenario()
    tables = {k: v for k, v in o.tables.items() if v}
    tables["職歴"] = tables.pop("就労履歴")
    path = write_xlsx(tmp_path / "office.xlsx", tables)
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "o"
    assert invoke("report", path, "--month", "2025-10", "--for", "employer", "--out", out).exit_code == 1  # the scenario's blank gates
    made = {p.name.split("_事業主用_")[1][:-5] for p in out.glob("*.xlsx")}
    assert made == {e for _, e in o.copies}


@pytest.mark.parametrize("names", [("就労履歴", "職歴"), ("職歴", "勤務歴")])
def test_two_sheets_that_are_each_the_history_stop_everything(invoke, tmp_path, monkeypatch, names):
    """A full history in one and an old partial copy in the other: reading either one
    silently could give the current employer the closed job's entries."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    tables = {k: v for k, v in scenario().tables.items() if v}
    history = tables.pop("就労履歴")
    tables[names[0]], tables[names[1]] = history, history[:2]
    path = write_xlsx(tmp_path / "office.xlsx", tables)
    result = invoke("validate", path)
    assert result.exit_code == 2 and f"「{names[0]}」・「{names[1]}」は、どれも「就労履歴」として読めるシート" in result.output  # cannot be read
    out = tmp_path / "o"
    assert invoke("report", path, "--month", "2025-10", "--for", "employer", "--out", out).exit_code == 2
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("sheet", ["職歴（2025）", "勤務先履歴", "職歴 (2)"])
def test_a_history_under_a_near_miss_of_its_other_names_is_not_ignored(invoke, tmp_path, monkeypatch, sheet):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    tables = {k: v for k, v in scenario().tables.items() if v}
    tables[sheet] = tables.pop("就労履歴")
    path = write_xlsx(tmp_path / "office.xlsx", tables)
    result = invoke("validate", path)
    assert result.exit_code == 1 and f"「{sheet}」は読んでいません。「就労履歴」のことですか？" in result.output
    assert invoke("report", path, "--month", "2025-10", "--for", "employer", "--out", tmp_path / "o").exit_code == 2


def test_a_second_history_like_sheet_beside_the_history_is_an_error(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    tables = {k: v for k, v in scenario().tables.items() if v}
    tables["就労履歴（旧）"] = [{**tables["就労履歴"][0], "メモ": "旧"}]  # not the same header: a near-miss by name
    result = invoke("validate", write_xlsx(tmp_path / "office.xlsx", tables))
    assert result.exit_code == 1 and "「就労履歴（旧）」は「就労履歴」と似た名前ですが、読んでいません" in result.output
    tables["就労履歴（旧）"] = tables["就労履歴"][:1]  # the same header: a copy (issue 20)
    result = invoke("validate", write_xlsx(tmp_path / "office.xlsx", tables))
    assert result.exit_code == 1 and "「就労履歴（旧）」は「就労履歴」のコピーのようです（見出しの行が同じです" in result.output


def test_a_sheets_setting_beside_the_usual_sheet_is_an_error(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    tables = {k: v for k, v in scenario().tables.items() if v}
    tables["支援経過"] = tables["支援記録"][:1]
    folder = tmp_path / "office"
    folder.mkdir()
    path = write_xlsx(folder / "office.xlsx", tables)
    (folder / "teichaku.toml").write_text('[sheets]\n"支援経過" = "支援記録"\n', encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2 and "どれも「支援記録」として読めるシート" in result.output


@pytest.mark.parametrize("header", ["事業所", "訪問先", "相手先"])
def test_a_log_column_holding_employer_names_under_another_header_closes_the_copies(invoke, tmp_path, monkeypatch, header):
    """An entry about the old employer, dated in the new job, says so only in a column
    teichaku does not know: read by date, it would go to the new employer."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("M01")
    o.job("M01", "旧工業", date(2024, 4, 1), left=date(2025, 10, 10))
    o.job("M01", "新物流", date(2025, 10, 11))
    o.entry("M01", date(2025, 10, 20), True)
    o.tables["支援記録"][-1][header] = "旧工業"
    data = write(o, tmp_path / "office", "xlsx")
    result = invoke("validate", data)
    assert f"見出し「{header}」の列に勤務先の名前（「旧工業」など）" in result.output
    out = tmp_path / "o"
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", out)
    assert result.exit_code == 2 and not out.exists()


@pytest.mark.parametrize("hide", ["narrow-column", "flat-row", "format"])
def test_a_template_cell_made_invisible_otherwise_is_refused(invoke, tmp_path, monkeypatch, hide):
    """Not hidden, but as unseen: a column of width 0, a row of height 0, a ;;; format."""
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    wb = employer_template()
    ws = wb.active
    ws["Z1"] = "社外秘の控え"
    if hide == "narrow-column":
        ws.column_dimensions["Z"].width = 0.1
    elif hide == "flat-row":
        ws["Z1"] = None
        ws["A60"] = "社外秘の控え"
        ws.row_dimensions[60].height = 0.5
    else:
        ws["Z1"].number_format = ";;;"
    out = tmp_path / "o"
    result = employer_copies_with(invoke, tmp_path, wb, out)
    assert result.exit_code == 2 and not out.exists(), result.output
    assert ("表示形式「;;;」" if hide == "format" else "非表示の行・列") in result.output


def test_a_template_error_never_shows_a_value_from_the_data(invoke, tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    data = write(scenario(), tmp_path / "office", "csv")
    for expression, shown in (("{{ report[user.氏名] }}", "データの値を名前として使っています"), ("{{ user.住所 }}", "住所")):
        wb = openpyxl.Workbook()
        wb.active["A1"] = expression
        template = tmp_path / "t.xlsx"
        wb.save(template)
        result = invoke("report", data, "--month", "2025-10", "--template", template, "--out", tmp_path / "o", "--force")
        assert result.exit_code == 2 and shown in result.output, result.output
        assert "利用者A01" not in result.output and "秘" not in result.output


def test_two_employers_of_one_person_on_one_file_name_blame_the_employer_names(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TEICHAKU_TODAY", TODAY)
    o = Office()
    o.user("N01")
    o.job("N01", "A/B社", date(2024, 4, 1), left=date(2025, 10, 10))
    o.job("N01", "AB社", date(2025, 10, 11))
    data = write(o, tmp_path / "office", "csv")
    out = tmp_path / "o"
    result = invoke("report", data, "--month", "2025-10", "--for", "employer", "--out", out)
    assert result.exit_code == 2 and "2つの事業主用が同じファイル名" in result.output and "事業主名" in result.output, result.output
    assert not out.exists() or not list(out.iterdir())
