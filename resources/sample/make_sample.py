"""Generate ``customers.csv``, the messy contact list behind the sample project.

Deterministic (fixed seed), so re-running it gives the same bytes:

    python resources/sample/make_sample.py

The list is messy on purpose, the way real exports are: duplicates with typos
and nicknames, German and Chinese names, bad e-mail addresses, ``NA`` and blank
cells, mixed date and phone formats, identifiers with leading zeros, a quoted
multi-line address, and a few broken lines that the import must quarantine.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

SEED = 20240521
HERE = Path(__file__).resolve().parent
COLUMNS = ["customer_id", "first_name", "last_name", "full_name", "company", "email", "phone",
           "street", "city", "postcode", "country", "date_of_birth", "updated_at"]

ENGLISH_FIRST = ["James", "Mary", "Robert", "Patricia", "William", "Jennifer", "Michael", "Elizabeth", "David",
                 "Katherine", "Richard", "Susan", "Thomas", "Margaret", "Charles", "Sarah", "Daniel", "Emily",
                 "Matthew", "Olivia", "Anthony", "Sophie", "Andrew", "Rebecca", "Joseph", "Hannah"]
ENGLISH_LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
                "Anderson", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis",
                "Walker", "Hall", "O'Brien", "McDonald", "Fitzgerald", "Hughes"]
GERMAN_FIRST = ["Jürgen", "Anna", "Klaus", "Ursula", "Stefan", "Monika", "Jörg", "Sabine", "Matthias", "Käthe",
                "Wolfgang", "Brigitte", "Andreas", "Renate", "Günther", "Sören", "Heike", "Maximilian"]
GERMAN_LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
               "Hoffmann", "Schäfer", "Koch", "Groß", "Weiß", "Krüger", "Löwe", "Straßburger", "Vogel"]
CHINESE = [("伟", "王"), ("芳", "李"), ("娜", "张"), ("秀英", "刘"), ("敏", "陈"), ("静", "杨"), ("丽", "赵"),
           ("强", "黄"), ("磊", "周"), ("军", "吴"), ("洋", "徐"), ("勇", "孙"), ("艳", "马"), ("杰", "朱"),
           ("涛", "胡"), ("明", "郭"), ("超", "何"), ("霞", "高")]
PINYIN = {"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "赵": "Zhao",
          "黄": "Huang", "周": "Zhou", "吴": "Wu", "徐": "Xu", "孙": "Sun", "马": "Ma", "朱": "Zhu", "胡": "Hu",
          "郭": "Guo", "何": "He", "高": "Gao", "伟": "Wei", "芳": "Fang", "娜": "Na", "秀英": "Xiuying",
          "敏": "Min", "静": "Jing", "丽": "Li", "强": "Qiang", "磊": "Lei", "军": "Jun", "洋": "Yang",
          "勇": "Yong", "艳": "Yan", "杰": "Jie", "涛": "Tao", "明": "Ming", "超": "Chao", "霞": "Xia"}
NICKNAMES = {"William": "Bill", "Robert": "Bob", "Katherine": "Kate", "Elizabeth": "Liz", "Michael": "Mike",
             "Margaret": "Maggie", "Thomas": "Tom", "Richard": "Dick", "Matthew": "Matt", "Daniel": "Dan",
             "Joseph": "Joe", "Anthony": "Tony", "Andrew": "Andy", "Charles": "Chuck", "James": "Jim",
             "Rebecca": "Becky", "Jürgen": "Jürgi", "Matthias": "Matze", "Maximilian": "Max", "Wolfgang": "Wolf"}

COMPANIES = {
    "US": ["Acme Corp", "Globex Inc.", "Initech LLC", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
           "Hooli", "Vandelay Industries"],
    "GB": ["Wonka Ltd", "Cyberdyne UK Ltd", "Sterling Cooper & Partners", "Oceanic Airlines plc", "Tyrell Ltd"],
    "DE": ["Müller & Söhne GmbH", "Bäckerei Schäfer", "Krüger Logistik AG", "Weiß Elektrotechnik GmbH",
           "Stadtwerke Görlitz", "Grünwald Consulting"],
    "CN": ["华为技术有限公司", "上海浦东发展银行", "北京小米科技", "深圳腾讯计算机系统", "杭州阿里巴巴网络"],
}
PLACES = {
    "US": [("Boston", "02134", "Commonwealth Ave"), ("Newark", "07102", "Broad St"), ("Chicago", "60601", "Wacker Dr"),
           ("Austin", "78701", "Congress Ave"), ("Portland", "04101", "Congress St"), ("Seattle", "98101", "Pike St")],
    "GB": [("London", "SW1A 1AA", "Whitehall"), ("Manchester", "M1 1AE", "Market St"),
           ("Edinburgh", "EH1 1YZ", "Royal Mile"), ("Bristol", "BS1 4DJ", "Corn St")],
    "DE": [("Dresden", "01067", "Prager Straße"), ("Berlin", "10115", "Invalidenstraße"), ("München", "80331", "Marienplatz"),
           ("Köln", "50667", "Hohe Straße"), ("Görlitz", "02826", "Berliner Straße"), ("Hamburg", "20095", "Mönckebergstraße")],
    "CN": [("北京", "100000", "长安街"), ("上海", "200000", "南京路"), ("深圳", "518000", "深南大道"), ("杭州", "310000", "文三路")],
}
COUNTRY_SPELLINGS = {"US": ["US", "USA", "United States", "U.S.A."], "GB": ["UK", "GB", "United Kingdom", "England"],
                     "DE": ["DE", "Germany", "Deutschland", "GER"], "CN": ["CN", "China", "中国", "PRC"]}
DOMAINS = {"US": ["gmail.com", "yahoo.com", "acme.com", "outlook.com"], "GB": ["btinternet.com", "gmail.com", "wonka.co.uk"],
           "DE": ["web.de", "gmx.de", "t-online.de", "mueller-soehne.de"], "CN": ["qq.com", "163.com", "126.com"]}
MISSING = ["NA", "N/A", "", "", "", "-", "null"]


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "'": ""})
    return text.translate(table).lower()


def _phone(rng: random.Random, country: str) -> str:
    n = [rng.randint(0, 9) for _ in range(10)]
    digits = "".join(map(str, n))
    if country == "US":
        return rng.choice([f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
                           f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"])
    if country == "GB":
        return rng.choice([f"+44 20 {digits[:4]} {digits[4:8]}", f"020 {digits[:4]} {digits[4:8]}", f"07{digits[:9]}"])
    if country == "DE":
        return rng.choice([f"+49 30 {digits[:7]}", f"030/{digits[:7]}", f"0049 (0)89 {digits[:3]}-{digits[3:7]}",
                           f"0171 {digits[:7]}"])
    return rng.choice([f"+86 138 {digits[:4]} {digits[4:8]}", f"138{digits[:8]}", f"010-{digits[:8]}"])


def _date(rng: random.Random, year: int, month: int, day: int) -> str:
    return rng.choice([f"{year:04d}-{month:02d}-{day:02d}"] * 3 + [f"{day:02d}.{month:02d}.{year:04d}",
                      f"{month}/{day}/{year}", f"{day:02d}/{month:02d}/{year % 100:02d}"])


def _person(rng: random.Random, number: int) -> dict[str, str]:
    country = rng.choices(["US", "GB", "DE", "CN"], weights=[35, 20, 30, 15])[0]
    if country == "DE":
        first, last = rng.choice(GERMAN_FIRST), rng.choice(GERMAN_LAST)
    elif country == "CN":
        first, last = rng.choice(CHINESE)
    else:
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    city, postcode, street = rng.choice(PLACES[country])
    if country == "CN":
        full = last + first
        local = f"{PINYIN[last].lower()}.{PINYIN[first].lower()}"
        house = f"{street}{rng.randint(1, 300)}号"
    else:
        full = f"{first} {last}"
        local = f"{_ascii(first)}.{_ascii(last)}"
        house = f"{street} {rng.randint(1, 250)}" if country == "DE" else f"{rng.randint(1, 250)} {street}"
    year, month, day = rng.randint(1940, 2003), rng.randint(1, 12), rng.randint(1, 28)
    return {
        "customer_id": f"{number:06d}",
        "first_name": first,
        "last_name": last,
        "full_name": full,
        "company": rng.choice(COMPANIES[country]) if rng.random() < 0.7 else rng.choice(MISSING),
        "email": f"{local}{rng.choice(['', '', str(rng.randint(1, 99))])}@{rng.choice(DOMAINS[country])}",
        "phone": _phone(rng, country),
        "street": house,
        "city": city,
        "postcode": postcode,
        "country": rng.choice(COUNTRY_SPELLINGS[country]),
        "date_of_birth": _date(rng, year, month, day) if rng.random() < 0.85 else rng.choice(MISSING),
        "updated_at": f"2024-{rng.randint(1, 5):02d}-{rng.randint(1, 28):02d}T{rng.randint(7, 19):02d}:"
                      f"{rng.randint(0, 59):02d}:00Z",
    }


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4 or not text.isascii():
        return text
    i = rng.randint(1, len(text) - 3)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]  # swap two letters
    return text[:i] + text[i + 1:]  # drop one


def _duplicate(rng: random.Random, person: dict[str, str], number: int) -> dict[str, str]:
    dup = dict(person)
    changes = rng.sample(["nickname", "typo", "case", "id", "phone", "date", "full", "space", "email"], k=3)
    if "nickname" in changes and dup["first_name"] in NICKNAMES:
        dup["first_name"] = NICKNAMES[dup["first_name"]]
        dup["full_name"] = f"{dup['first_name']} {dup['last_name']}"
    if "typo" in changes:
        dup["last_name"] = _typo(rng, dup["last_name"])
    if "case" in changes and dup["full_name"].isascii():
        dup["full_name"] = dup["full_name"].upper()
    if "id" in changes:
        dup["customer_id"] = rng.choice([str(int(dup["customer_id"])), f"{number:06d}", ""])
    if "phone" in changes:
        dup["phone"] = "".join(ch for ch in dup["phone"] if ch.isdigit() or ch == "+")
    if "date" in changes:
        dup["date_of_birth"] = rng.choice(MISSING)
    if "full" in changes and dup["full_name"].isascii() and " " in dup["full_name"]:
        first, last = dup["full_name"].split(" ", 1)
        dup["full_name"] = f"{last}, {first}"
    if "space" in changes:
        dup["first_name"] = f"  {dup['first_name']} "
    if "email" in changes:
        dup["email"] = dup["email"].upper() if rng.random() < 0.5 else rng.choice(MISSING)
    dup["updated_at"] = f"2024-06-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    return dup


def _spoil(rng: random.Random, row: dict[str, str]) -> None:
    """Damage a few values the way hand-kept lists are damaged."""
    roll = rng.random()
    if roll < 0.05:
        row["email"] = rng.choice(["john.smith@", "anna(at)web.de", "mary@@gmail.com", "bob@example", "n/a",
                                   "info@ firma.de", "kontakt@müller-söhne.de", "no email"])
    elif roll < 0.09:
        row["phone"] = rng.choice(MISSING)
    elif roll < 0.12:
        row["postcode"] = row["postcode"].lstrip("0") or row["postcode"]  # leading zero lost in a spreadsheet
    elif roll < 0.14:
        row["city"] = row["city"].upper()


def build_rows() -> list[dict[str, str]]:
    rng = random.Random(SEED)
    people = [_person(rng, 100 + 7 * n) for n in range(240)]
    rows = list(people)
    for n in range(52):
        rows.append(_duplicate(rng, rng.choice(people), 9000 + n))
    for row in rows:
        _spoil(rng, row)
    rng.shuffle(rows)
    # A multi-line address, quoted in the file, as exported from a CRM.
    german = next(row for row in rows[15:] if row["city"] == "Dresden")
    german["street"] = "c/o Hausverwaltung Weber\nPrager Straße 12\n3. OG links"
    british = next(row for row in rows[140:] if row["city"] == "London")
    british["street"] = "Flat 4B\n221 Baker Street"
    return rows


def render() -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = build_rows()
    for i, row in enumerate(rows):
        writer.writerow(row)
        if i == 40:
            out.write("\n")  # a blank line in the middle of the list
        if i == 120:
            # An unquoted comma in the company splits the line into one field too many.
            out.write("000905,Lisa,Hughes,Lisa Hughes,Smith, Jones & Co,lisa.hughes@gmail.com,020 7946 0958,"
                      "14 Corn St,Bristol,BS1 4DJ,UK,1979-11-02,2024-03-14T09:12:00Z\n")
        if i == 200:
            # A line cut short by a truncated copy-and-paste.
            out.write("000912,Käthe,Löwe,Käthe Löwe,Grünwald Consulting,kaethe.loewe@gmx.de\n")
    return out.getvalue()


def main() -> None:
    (HERE / "customers.csv").write_text(render(), encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
