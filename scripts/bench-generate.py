#!/usr/bin/env python3
"""Deterministic generator of a synthetic HOU-001 (房产交易信息) submission for the benchmark.

    scripts/bench-generate.py --rows 100000 --out bench-data/100000 [--seed 20240301] [--inline-strings]

Writes into OUT:
  HOU-001_N.xlsx   one sheet `Sheet1`: row 1 a title merged across A:N, row 2 the headers
                   (`label（unit）`), data from row 3; IDs and codes are text cells, amounts numeric
                   cells, dates Excel date serials with a `yyyy-mm-dd` number format. Strings go to a
                   shared-string table, as Excel and WPS write them (--inline-strings: inline strings,
                   as openpyxl writes them).
  HOU-001_N.csv    the same rows: UTF-8 with BOM, CRLF, RFC 4180, header on line 1.
  clean.tsv        the rows a correct importer accepts, canonical values, PostgreSQL COPY text format,
                   columns in catalog order (for the `psql \\copy` peer).
  expected.txt     rows_total / rows_accepted / rows_rejected and the faulty rows per kind.

About 3 % of the rows are faulty, spread evenly over six kinds: bad_check_digit (resident ID with a
wrong check character), missing_required (empty 买方证件号码), bad_date (text `2024-02-30` and the
like), not_a_number (text in 成交价格), not_in_enum (房屋用途 `商住`), duplicate_row (a copy of an
earlier accepted row). Every row has exactly one fault at most. Standard library only.
"""

import argparse
import datetime as dt
import os
import random
import zipfile
from xml.sax.saxutils import escape

FIELDS = [  # (key, header) in catalog order
    ("contract_no", "合同编号"),
    ("property_address", "房屋坐落"),
    ("usage", "房屋用途"),
    ("building_area", "建筑面积（平方米）"),
    ("price", "成交价格（元）"),
    ("transfer_type", "交易类型"),
    ("contract_date", "合同签订日期"),
    ("buyer_name", "买方姓名"),
    ("buyer_id_type", "买方证件类型"),
    ("buyer_id_no", "买方证件号码"),
    ("seller_name", "卖方姓名"),
    ("seller_id_type", "卖方证件类型"),
    ("seller_id_no", "卖方证件号码"),
    ("division_code", "信息属地"),
]
COLS = "ABCDEFGHIJKLMN"
# Kind of each column in the xlsx: s = string, d = decimal number, i = whole number, t = date.
KINDS = ["s", "s", "s", "d", "i", "s", "t", "s", "s", "s", "s", "s", "s", "s"]
# Style index per column kind (see STYLES below).
STYLE = {"s": 3, "d": 4, "i": 5, "t": 6}

USAGES = ["住宅", "住宅", "住宅", "住宅", "商业", "办公", "车库", "其他"]
TRANSFERS = ["买卖", "买卖", "买卖", "买卖", "买卖", "赠与", "继承", "交换", "以房抵债"]
ID_PREFIXES = ["321002", "321003", "321012", "321023", "321081", "321084", "320102",
               "321027", "321088", "320583", "310101", "110101"]
DIVISIONS = ["321002", "321003", "321012", "321023", "321081", "321084"]
DISTRICT_OF = {"321002": "广陵区", "321003": "邗江区", "321012": "江都区", "321023": "宝应县",
               "321081": "仪征市", "321084": "高邮市"}
STREETS = ["运河南路", "文昌中路", "国庆路", "扬子江北路", "江阳中路", "长春路", "维扬路", "汶河南路",
           "解放北路", "邗江中路", "真州中路", "海潮东路", "安宜东路", "仙女大道"]
ESTATES = ["名都新村", "文昌名邸", "明月湖苑", "凤凰小区", "翠岗小区", "星湖花园", "康乐新村", "锦绣华庭",
           "蓝湾国际", "东方百合园", "水岸花园", "金域华府"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉建华玲红梅晨莹博燕荣俊浩宇欣怡子涵雨轩思远佳琪"
BAD_DATES = ["2024-02-30", "2023-02-29", "2024-13-05", "2024-00-12", "2024-04-31"]
NOT_NUMBERS = ["面议", "待定", "约35万", "12O000", "N/A", "见附件", "叁万元"]
NOT_ENUM = ["商住", "其它", "公寓"]
FAULTS = ["bad_check_digit", "missing_required", "bad_date", "not_a_number", "not_in_enum", "duplicate_row"]

W_ID = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
EPOCH = dt.date(1899, 12, 30)


def id_check(body17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(body17, W_ID)) % 11]


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.birth_lo = dt.date(1950, 1, 1).toordinal()
        self.birth_hi = dt.date(2005, 12, 31).toordinal()

    def resident_id(self) -> str:
        r = self.r
        birth = dt.date.fromordinal(r.randint(self.birth_lo, self.birth_hi))
        body = f"{r.choice(ID_PREFIXES)}{birth:%Y%m%d}{r.randint(0, 999):03d}"
        return body + id_check(body)

    def name(self) -> str:
        r = self.r
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def row(self, seq: int):
        """One valid row: canonical values (strings), with contract_date as a date."""
        r = self.r
        division = r.choice(DIVISIONS)
        address = (f"扬州市{DISTRICT_OF[division]}{r.choice(STREETS)}{r.choice(ESTATES)}"
                   f"{r.randint(1, 60)}幢{r.randint(1, 4)}单元{r.randint(1, 33)}{r.randint(1, 4):02d}室")
        area = r.randint(3000, 30000)  # hundredths of a square metre
        price = r.randint(300, 9000) * 1000 + r.randint(0, 999)
        return [
            f"YZ2024{seq:07d}", address, r.choice(USAGES), f"{area // 100}.{area % 100:02d}", str(price),
            r.choice(TRANSFERS), dt.date(2024, 3, r.randint(1, 31)),
            self.name(), "居民身份证", self.resident_id(),
            self.name(), "居民身份证", self.resident_id(), division,
        ]


def generate(n: int, seed: int):
    """Yields (values, fault) for n data rows; values[6] is a date or a (bad) text."""
    g = Gen(seed)
    r = g.r
    accepted_pool = []  # a few accepted rows to duplicate later
    for i in range(n):
        fault = None
        if i >= 50 and r.random() < 0.03:
            fault = FAULTS[r.randrange(len(FAULTS))]
        if fault == "duplicate_row":
            yield list(r.choice(accepted_pool)), fault
            continue
        v = g.row(i + 1)
        if fault == "bad_check_digit":
            col = r.choice((9, 12))
            good = v[col][-1]
            v[col] = v[col][:17] + r.choice([c for c in "0123456789X" if c != good])
        elif fault == "missing_required":
            v[9] = ""
        elif fault == "bad_date":
            v[6] = r.choice(BAD_DATES)
        elif fault == "not_a_number":
            v[4] = r.choice(NOT_NUMBERS)
        elif fault == "not_in_enum":
            v[2] = r.choice(NOT_ENUM)
        elif len(accepted_pool) < 2000:
            accepted_pool.append(v)
        elif r.random() < 0.01:
            accepted_pool[r.randrange(len(accepted_pool))] = v
        yield v, fault


STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center"/></xf><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sst}</Types>"""
SST_TYPE = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>{sst}</Relationships>"""
SST_REL = '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'


def csv_cell(s: str) -> str:
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240301)
    ap.add_argument("--inline-strings", action="store_true")
    args = ap.parse_args()
    n, out, inline = args.rows, args.out, args.inline_strings
    os.makedirs(out, exist_ok=True)
    xlsx_path = os.path.join(out, f"HOU-001_{n}.xlsx")
    csv_path = os.path.join(out, f"HOU-001_{n}.csv")
    tmp_suffix = ".part"

    sst: dict = {}

    def s_cell(ref: str, text: str, style: int) -> str:
        if inline:
            return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
        idx = sst.get(text)
        if idx is None:
            idx = sst[text] = len(sst)
        return f'<c r="{ref}" s="{style}" t="s"><v>{idx}</v></c>'

    counts = {f: 0 for f in FAULTS}
    accepted = 0
    title = "扬州市住房保障和房产管理局 房产交易信息 2024年3月"
    last_row = n + 2
    with zipfile.ZipFile(xlsx_path + tmp_suffix, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z, \
            open(csv_path + tmp_suffix, "w", encoding="utf-8-sig", newline="") as csv_out, \
            open(os.path.join(out, "clean.tsv" + tmp_suffix), "w", encoding="utf-8", newline="") as tsv_out:
        csv_out.write(",".join(h for _, h in FIELDS) + "\r\n")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            buf = []
            buf.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                       f'<dimension ref="A1:N{last_row}"/><sheetViews><sheetView workbookViewId="0">'
                       '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                       '<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="14" width="16" customWidth="1"/></cols><sheetData>')
            buf.append('<row r="1">' + s_cell("A1", title, 1) + '</row><row r="2">'
                       + "".join(s_cell(f"{COLS[j]}2", h, 2) for j, (_, h) in enumerate(FIELDS)) + "</row>")
            csv_lines = []
            tsv_lines = []
            for i, (v, fault) in enumerate(generate(n, args.seed)):
                rn = i + 3
                cells = []
                for j, val in enumerate(v):
                    ref = f"{COLS[j]}{rn}"
                    kind = KINDS[j]
                    if val == "":
                        continue
                    if kind == "t" and isinstance(val, dt.date):
                        cells.append(f'<c r="{ref}" s="6"><v>{(val - EPOCH).days}</v></c>')
                    elif kind in "di" and fault == "not_a_number" and j == 4:
                        cells.append(s_cell(ref, val, 3))
                    elif kind in "di":
                        cells.append(f'<c r="{ref}" s="{STYLE[kind]}"><v>{val}</v></c>')
                    else:
                        cells.append(s_cell(ref, val if isinstance(val, str) else val.isoformat(), 3))
                buf.append(f'<row r="{rn}">' + "".join(cells) + "</row>")
                text = [x.isoformat() if isinstance(x, dt.date) else x for x in v]
                csv_lines.append(",".join(csv_cell(x) for x in text) + "\r\n")
                if fault:
                    counts[fault] += 1
                else:
                    accepted += 1
                    tsv_lines.append("\t".join(text) + "\n")
                if len(buf) >= 2000:
                    sheet.write("".join(buf).encode("utf-8"))
                    buf.clear()
                    csv_out.write("".join(csv_lines))
                    csv_lines.clear()
                    tsv_out.write("".join(tsv_lines))
                    tsv_lines.clear()
            buf.append(f'</sheetData><mergeCells count="1"><mergeCell ref="A1:N1"/></mergeCells>'
                       '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
            sheet.write("".join(buf).encode("utf-8"))
            csv_out.write("".join(csv_lines))
            tsv_out.write("".join(tsv_lines))
        if not inline:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                            f'count="{len(sst)}" uniqueCount="{len(sst)}">').encode("utf-8"))
                chunk = []
                for text in sst:  # dicts keep insertion order = index order
                    chunk.append(f"<si><t>{escape(text)}</t></si>")
                    if len(chunk) >= 5000:
                        part.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                chunk.append("</sst>")
                part.write("".join(chunk).encode("utf-8"))
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(sst="" if inline else SST_TYPE))
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(sst="" if inline else SST_REL))
        z.writestr("xl/styles.xml", STYLES)
    for p in (xlsx_path, csv_path, os.path.join(out, "clean.tsv")):
        os.replace(p + tmp_suffix, p)
    rejected = n - accepted
    with open(os.path.join(out, "expected.txt"), "w", encoding="utf-8") as f:
        f.write(f"rows_total {n}\nrows_accepted {accepted}\nrows_rejected {rejected}\n")
        for k in FAULTS:
            f.write(f"{k} {counts[k]}\n")
        f.write(f"seed {args.seed}\nstrings {'inline' if inline else 'shared'}\n")
    print(f"{out}: {n} rows, {accepted} accepted, {rejected} faulty ({100.0 * rejected / n:.2f} %)")


if __name__ == "__main__":
    main()
