"""Build the bundled templates: 支援レポート (別紙様式1) for the user, its employer
copy, and 就労定着支援計画 (別紙様式2). Run ``make templates`` after changing this
file; offices restyle the resulting .xlsx in Excel rather than editing this script.

The employer copy is a template of its own: it names only what an employer copy's
context holds (docs/templates.md), and it has no 本人確認 box, which belongs to the
user's copy.

Contents follow 就労定着支援の実施について 1の(5)(6) (別紙様式1・2) and the practice manual's
section 14 (支援計画と支援レポートの作成の留意点); docs/sources.md lists both.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from teichaku_cli.documents.sheets import print_setup, use_office_font

FONT = "游ゴシック"
HERE = Path(__file__).parent
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E7EEF7")
WIDTHS = {"A": 15, "B": 10, "C": 10, "D": 14, "E": 14, "F": 14, "G": 12, "H": 12}


class Sheet:
    def __init__(self, ws) -> None:
        self.ws = ws
        self.row = 1
        for col, width in WIDTHS.items():
            ws.column_dimensions[col].width = width

    def put(self, col: str, value, *, span: str | None = None, bold=False, size=10.5, fill=False, box=True, wrap=True, align="left", height=None):
        ws, r = self.ws, self.row
        cell = ws[f"{col}{r}"]
        cell.value = value
        cell.font = Font(name=FONT, bold=bold, size=size)
        # text clear of the cell's border, as in teichaku's result workbooks (centred text needs no indent)
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap, indent=1 if align == "left" else 0)
        last = span or col
        for c in range(ord(col), ord(last) + 1):
            target = ws[f"{chr(c)}{r}"]
            if box:
                target.border = BOX
            if fill:
                target.fill = HEAD_FILL
        if span and span != col:
            ws.merge_cells(f"{col}{r}:{span}{r}")
        if height:
            ws.row_dimensions[r].height = height

    def next(self, n: int = 1) -> None:
        self.row += n

    def title(self, text: str) -> None:
        self.put("A", text, span="H", bold=True, size=16, box=False, align="center", height=30)
        self.next()

    def fields(self, left: tuple[str, str], right: tuple[str, str]) -> None:
        """A row of two labelled fields: label in A, value over B–D; label in E, value over F–H."""
        for (label, value), (at, first, last) in zip((left, right), (("A", "B", "D"), ("E", "F", "H"))):
            self.put(at, label, bold=True, fill=True)
            self.put(first, value, span=last)
        self.next()

    def heading(self, text: str) -> None:
        self.put("A", text, span="H", bold=True, fill=True)
        self.next()

    def labelled(self, label: str, value: str, height: float = 30) -> None:
        self.put("A", label, span="B", bold=True, fill=True)
        self.put("C", value, span="H", height=height)
        self.next()

    def marker(self, text: str) -> None:
        self.ws[f"A{self.row}"] = text
        self.next()

    def finish(self, title_rows: str) -> None:
        # A4 portrait, one page wide, margins and page numbers as every teichaku workbook
        print_setup(self.ws, landscape=False, title_rows=title_rows, print_area=f"A1:H{self.row - 1}")
        self.ws.sheet_view.showGridLines = False


def stamp_box(s: Sheet) -> None:
    s.put("A", "本人確認", span="B", bold=True, fill=True, height=36)
    s.put("C", "上記の内容について説明を受け、\n受け取りました。", span="E")  # broken where a person would (not 「…まし／た。」)
    s.put("F", "確認日　　年　　月　　日", span="G")
    s.put("H", "印", align="center")
    s.next()


def entries_table(s: Sheet) -> None:
    """The month's contacts, one row each: the same table in the user's and the employer's copy."""
    for col, text, span in (("A", "提供日", None), ("B", "方法", None), ("C", "相手", None), ("D", "支援内容", "F"), ("G", "結果", "H")):
        s.put(col, text, span=span, bold=True, fill=True, align="center")
    s.next()
    s.marker("{% for e in entries %}")
    s.put("A", "{{ e.日付 }}", height=36)
    s.put("B", "{{ e.方法 }}", align="center")
    s.put("C", "{{ e.相手 }}", align="center")
    s.put("D", "{{ e.内容 }}", span="F")
    s.put("G", "{{ e.結果 }}", span="H")
    s.next()
    s.marker("{% endfor %}")


def report() -> None:
    wb = Workbook()
    use_office_font(wb)  # widths count the same in Excel and LibreOffice, and rows grow to fit
    s = Sheet(wb.active)
    s.ws.title = "支援レポート"
    s.title("支援レポート")
    s.fields(("対象月", "{{ month | wareki_month }}"), ("作成日", "{{ created }}"))
    s.fields(("利用者", "{{ user.氏名 }} 様"), ("事業所", "{{ office.name }}"))
    s.fields(("就労先", "{{ employer }}"), ("作成者", "{{ author }}"))
    s.next()
    s.heading("その月の主な支援目標")
    s.put("A", "{{ report.主な支援目標 }}", span="H", height=42)
    s.next(2)
    s.heading("支援状況")
    entries_table(s)
    s.next()
    s.heading("支援の方向性")
    s.labelled("今後の支援内容", "{{ report.今後の支援内容 }}")
    s.labelled("本人の取組", "{{ report.本人の取組 }}")
    s.labelled("事業主の取組", "{{ report.事業主の取組 }}")
    s.next()
    s.heading("共有事項")
    s.put("A", "{{ report.共有事項 }}", span="H", height=36)
    s.next(2)
    stamp_box(s)
    s.finish("1:1")
    wb.save(HERE / "支援レポート.xlsx")


def employer_report() -> None:
    wb = Workbook()
    use_office_font(wb)
    s = Sheet(wb.active)
    s.ws.title = "支援レポート（事業主用）"
    s.title("支援レポート（事業主用）")
    s.put("A", "{{ employer }} 御中", span="H", box=False, bold=True)
    s.next()
    s.fields(("対象月", "{{ month | wareki_month }}"), ("作成日", "{{ created }}"))
    s.fields(("利用者", "{{ user.氏名 }} 様"), ("事業所", "{{ office.name }}"))
    s.fields(("作成者", "{{ author }}"), ("担当者", "{{ user.担当者 }}"))
    s.next()
    s.put("A", "この写しには、ご本人が貴社と共有することに同意した記録だけを載せています。", span="H", box=False, wrap=True)
    s.next()
    s.put("A", "{{ nothing_shared }}", span="H", box=False, bold=True)
    s.next(2)
    s.heading("共有する事項")
    s.marker("{% for f in report_fields %}")
    s.labelled("{{ f.項目 }}", "{{ f.内容 }}", height=36)
    s.marker("{% endfor %}")
    s.next()
    s.heading("支援状況（共有に同意した記録）")
    entries_table(s)
    s.finish("1:1")
    wb.save(HERE / "支援レポート（事業主用）.xlsx")


def plan() -> None:
    wb = Workbook()
    use_office_font(wb)
    s = Sheet(wb.active)
    s.ws.title = "就労定着支援計画"
    s.title("就労定着支援計画")
    s.fields(("利用者", "{{ user.氏名 }} 様"), ("作成日", "{{ plan.作成日 }}"))
    s.put("A", "計画期間", bold=True, fill=True)
    s.put("B", "{{ period_start | wareki }} 〜 {{ period_end | wareki }}", span="D")
    s.put("E", "{{ status }}{{ '　' if status and period_note else '' }}{{ period_note }}", span="H", bold=True)
    s.next()
    s.fields(("事業所", "{{ office.name }}"), ("作成者", "{{ plan.作成者 }}"))
    s.next()
    s.heading("引継ぎ事項（送り出し事業所から）")
    s.put("A", "{{ plan.引継ぎ事項 }}", span="H", height=36)
    s.next(2)
    s.heading("雇用主と職場")
    s.labelled("雇用主", "{{ employer }}", height=20)
    s.labelled("職場環境", "{{ plan.職場環境 }}")
    s.labelled("業務内容", "{{ plan.業務内容 }}")
    s.labelled("労働条件", "{{ plan.労働条件 }}")
    s.labelled("関係機関", "{{ plan.関係機関 }}")
    s.next()
    s.heading("本人の状況")
    s.labelled("健康状態", "{{ plan.健康状態 }}")
    s.labelled("生活環境・生活面の\nサポート体制", "{{ plan.生活環境 }}")  # broken between words, not 「…サポート/体制」
    s.next()
    s.heading("目標")
    s.labelled("長期目標", "{{ plan.長期目標 }}")
    for col, text, span in (("A", "短期目標", "B"), ("C", "支援方針", "D"), ("E", "支援内容", "F"), ("G", "期間・頻度", None), ("H", "役割分担", None)):
        s.put(col, text, span=span, bold=True, fill=True, align="center")
    s.next()
    s.marker("{% for g in goals %}")
    s.put("A", "{{ g.短期目標 }}", span="B", height=48)
    s.put("C", "{{ g.支援方針 }}", span="D")
    s.put("E", "{{ g.支援内容 }}", span="F")
    s.put("G", "{{ g.支援期間 }}\n{{ g.支援頻度 }}")
    s.put("H", "{{ g.役割分担 }}")
    s.next()
    s.marker("{% endfor %}")
    s.next()
    s.heading("評価（達成状況・効果や満足度・残る課題と対策）")
    s.put("A", "{{ plan.評価 }}", span="H", height=48)
    s.next(2)
    s.put("A", "本人同意", span="B", bold=True, fill=True, height=36)
    s.put("C", "上記の計画について説明を受け、\n同意しました。", span="E")
    s.put("F", "同意日 {{ plan.本人同意日 | wareki if plan.本人同意日 else '　　年　　月　　日' }}", span="G")
    s.put("H", "印", align="center")
    s.next()
    s.finish("1:1")
    wb.save(HERE / "就労定着支援計画.xlsx")


if __name__ == "__main__":
    report()
    employer_report()
    plan()
    print("templates written:", ", ".join(p.name for p in sorted(HERE.glob("*.xlsx"))))
