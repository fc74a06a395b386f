"""A messy contact list whose truth is known, for the matching benchmark, the demo and training.

Every row belongs to a known person (its entity), so duplicate detection can be
scored pair by pair. Duplicates differ from the person's first record in tagged
ways (typos, nicknames, pinyin, a move …); look-alike people who are *not*
duplicates (households, colleagues, namesakes) make precision count; a few
tagged defects give validation something to find. Layouts (phone, date,
country spelling, "Str."/"Straße") vary on every record and are not tagged.
The same arguments give the same rows, and ``today`` only shifts the dates.
"""

from __future__ import annotations

import csv
import functools
import itertools
import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Sequence

HEADER = ["customer_id", "first_name", "last_name", "full_name", "company", "email", "phone", "street", "city",
          "postcode", "country", "date_of_birth", "updated_at", "source"]
_ID, _FIRST, _LAST, _FULL, _, _EMAIL, _PHONE, _STREET, _CITY, _POSTCODE, _, _DOB, _, _SOURCE = range(len(HEADER))

LOCALES = ("en", "de", "zh")
SOURCES = ("Dealer North", "Dealer South", "Webshop", "Call centre", "Trade fair")
SINGLE_SHARE = 0.62  # entities with one record; the others have 2–4
LOOKALIKE_SHARE = 0.10  # entities in a household, colleague or namesake group
DEFECT_SHARE = 0.05  # rows with a deliberate validation defect
SAME_SOURCE_SHARE = 0.2  # duplicates entered again through their first record's channel
FRESH_DAYS = 700  # a sound record was updated within this many days, inside a 24-month freshness rule
STALE_DAYS = (3 * 366, 7 * 365)  # a stale one more than three years ago, at most seven
DEFECTS = ("bad_email", "impossible_phone", "future_birth_date", "missing_name", "stale")
_LOCKS = {"bad_email": "email", "impossible_phone": "phone", "future_birth_date": "dob", "missing_name": "name"}

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "Elizabeth": ("Liz", "Beth", "Betty"),
    "Katherine": ("Kate", "Kathy", "Katie"), "Catherine": ("Cathy", "Kate"), "Michael": ("Mike", "Mick"),
    "James": ("Jim", "Jimmy", "Jamie"), "Margaret": ("Peggy", "Maggie", "Meg"), "Richard": ("Rick", "Dick", "Rich"),
    "Thomas": ("Tom", "Tommy"), "Joseph": ("Joe", "Joey"), "Charles": ("Charlie", "Chuck"), "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",), "Christopher": ("Chris", "Kit"), "Anthony": ("Tony",), "Edward": ("Ed", "Eddie", "Ted"),
    "Andrew": ("Andy", "Drew"), "Steven": ("Steve",), "Jennifer": ("Jen", "Jenny"), "Patricia": ("Pat", "Trish"),
    "Susan": ("Sue", "Susie"), "Deborah": ("Debbie", "Deb"), "Rebecca": ("Becky", "Becca"),
    "Alexander": ("Alex", "Sandy"), "Benjamin": ("Ben", "Benny"), "Jonathan": ("Jon", "Johnny"),
    "Nicholas": ("Nick", "Nicky"), "Samuel": ("Sam", "Sammy"), "Timothy": ("Tim",), "Peter": ("Pete",),
    "David": ("Dave", "Davy"), "Gregory": ("Greg",), "Kenneth": ("Ken", "Kenny"), "Donald": ("Don", "Donnie"),
    "Ronald": ("Ron", "Ronnie"), "Victoria": ("Vicky", "Tori"), "Abigail": ("Abby",), "Jacqueline": ("Jackie",),
    "Frederick": ("Fred", "Freddie"), "Henry": ("Harry", "Hank"), "John": ("Jack", "Johnny"),
    "Patrick": ("Paddy", "Pat"), "Dorothy": ("Dot", "Dolly"), "Joshua": ("Josh",), "Nathaniel": ("Nate", "Nat"),
    "Theresa": ("Terry", "Tess"), "Christine": ("Chris", "Chrissy"), "Stephanie": ("Steph",),
}
_EN_GIVEN = (*NICKNAMES, "Emma", "Olivia", "Sophie", "Chloe", "Grace", "Lucy", "Mary", "Sarah", "Laura", "Karen",
             "Helen", "Ethan", "Noah", "Oliver", "Paul", "Mark", "Gary", "Brian", "Kevin", "Ryan")
_IE_GIVEN = ("Siobhán", "Aoife", "Niamh", "Saoirse", "Róisín", "Seán", "Ciarán", "Pádraig", "Oisín", "Eoin")
_EN_FAMILY = ("Smith", "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Johnson",
              "Miller", "Davis", "Garcia", "Martin", "Thompson", "White", "Clarke", "Walker", "Wright", "Robinson",
              "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Baker", "MacDonald", "O'Brien",
              "Murphy", "Kelly", "O'Sullivan", "Walsh", "McCarthy", "Byrne", "O'Connor")
_DE_GIVEN = ("Hans", "Jürgen", "Günter", "Klaus", "Stefan", "Michael", "Thomas", "Andreas", "Wolfgang", "Uwe", "Jörg",
             "Matthias", "Sebastian", "Lukas", "Jonas", "Maximilian", "Björn", "Sören", "Anna", "Ursula", "Monika",
             "Petra", "Sabine", "Brigitte", "Renate", "Karin", "Gisela", "Claudia", "Susanne", "Käthe", "Katrin",
             "Lena", "Hannah", "Sophie", "Marie", "Mia", "Dörte", "Bärbel")
_DE_FAMILY = ("Müller", "Müller", "Schmidt", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
              "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
              "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann",
              "Köhler", "Maier", "Groß", "Jäger", "Weiß", "Böhm", "Fuchs", "Vogel", "Günther", "Roßmann")
# (characters, pinyin); the commonest family names twice, as in real lists
_ZH_FAMILY = tuple(pair.split(":") for pair in (
    "王:Wang 王:Wang 李:Li 李:Li 张:Zhang 张:Zhang 刘:Liu 陈:Chen 杨:Yang 黄:Huang 赵:Zhao 吴:Wu 周:Zhou 徐:Xu 孙:Sun "
    "马:Ma 朱:Zhu 胡:Hu 郭:Guo 何:He 林:Lin 高:Gao 罗:Luo 郑:Zheng 梁:Liang 谢:Xie 宋:Song 唐:Tang 韩:Han 冯:Feng "
    "邓:Deng 曹:Cao 欧阳:Ouyang").split())
_ZH_GIVEN = tuple(pair.split(":") for pair in (
    "伟:Wei 芳:Fang 娜:Na 敏:Min 静:Jing 丽:Li 强:Qiang 磊:Lei 军:Jun 洋:Yang 勇:Yong 艳:Yan 杰:Jie 娟:Juan 涛:Tao "
    "明:Ming 超:Chao 秀英:Xiuying 霞:Xia 平:Ping 刚:Gang 桂英:Guiying 建华:Jianhua 志强:Zhiqiang 晓明:Xiaoming "
    "海燕:Haiyan 婷:Ting 浩然:Haoran 子涵:Zihan 欣怡:Xinyi 梓轩:Zixuan 一诺:Yinuo 思远:Siyuan 雨萱:Yuxuan "
    "俊杰:Junjie 嘉怡:Jiayi 文博:Wenbo 丹:Dan 鹏:Peng 慧:Hui").split())


@dataclass(frozen=True)
class _Place:
    city: str
    city_latin: str
    region: str
    area: str  # landline area code without the trunk 0
    digits: int  # subscriber digits after it
    lead: str  # first subscriber digits that make a valid number
    postcodes: tuple[str, ...]  # patterns: # a digit, @ a letter


@dataclass(frozen=True)
class _Country:
    spellings: tuple[str, ...]  # the first is the usual one
    code: str  # calling code
    mobiles: tuple[tuple[str, int], ...]  # (prefix, subscriber digits)
    providers: tuple[str, ...]
    tld: str




def _prefixes(text: str) -> tuple[tuple[str, int], ...]:
    return tuple((prefix, int(digits)) for prefix, digits in (item.split(":") for item in text.split()))


_COUNTRIES = {
    "GB": _Country(("United Kingdom", "UK", "GB", "England", "Great Britain"), "44",
                   _prefixes("7412:6 7428:6 7534:6 7540:6 7712:6 7723:6 7801:6 7812:6 7931:6 7960:6 7984:6"),
                   ("gmail.com", "gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.co.uk", "btinternet.com"),
                   ".co.uk"),
    "US": _Country(("United States", "USA", "US", "U.S.A."), "1", (),  # mobiles use the city's area code
                   ("gmail.com", "gmail.com", "yahoo.com", "outlook.com", "aol.com", "icloud.com"), ".com"),
    "IE": _Country(("Ireland", "IE"), "353", _prefixes("83:7 85:7 86:7 87:7 89:7"),
                   ("gmail.com", "eircom.net", "outlook.com", "yahoo.ie", "icloud.com"), ".ie"),
    "DE": _Country(("Deutschland", "Germany", "DE"), "49",
                   _prefixes("151:8 152:8 157:8 160:7 162:7 170:7 171:7 172:7 176:8 177:8 179:8"),
                   ("gmx.de", "web.de", "t-online.de", "gmail.com", "posteo.de", "freenet.de"), ".de"),
    "CN": _Country(("中国", "China", "CN", "中华人民共和国", "PRC"), "86",
                   _prefixes(" ".join(f"{p}:8" for p in "130 131 133 135 136 137 138 139 150 151 155 158 159 166 "
                                                       "177 180 186 187 188 189 199".split())),
                   ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "gmail.com"), ".com.cn"),
}
_PLACES = {  # city, its latin spelling, region, area code, subscriber digits and their first digit, postcodes
    "en": (_Place("London", "London", "GB", "20", 8, "378", ("SW1A #@@", "E1 #@@", "N7 #@@", "SE15 #@@", "NW3 #@@")),
           _Place("Manchester", "Manchester", "GB", "161", 7, "2345", ("M1 #@@", "M14 #@@", "M20 #@@")),
           _Place("Birmingham", "Birmingham", "GB", "121", 7, "2345", ("B1 #@@", "B15 #@@")),
           _Place("Leeds", "Leeds", "GB", "113", 7, "2345", ("LS1 #@@", "LS6 #@@")),
           _Place("Edinburgh", "Edinburgh", "GB", "131", 7, "2345", ("EH1 #@@", "EH3 #@@")),
           _Place("New York", "New York", "US", "212", 7, "2346789", ("100##", "101##")),
           _Place("Boston", "Boston", "US", "617", 7, "2346789", ("021##",)),
           _Place("Chicago", "Chicago", "US", "312", 7, "2346789", ("606##",)),
           _Place("San Francisco", "San Francisco", "US", "415", 7, "2346789", ("941##",)),
           _Place("Dublin", "Dublin", "IE", "1", 7, "2345678", ("D02 @#@#", "D04 @#@#", "D08 @#@#")),
           _Place("Cork", "Cork", "IE", "21", 7, "2345678", ("T12 @#@#",))),
    "de": (_Place("Berlin", "Berlin", "DE", "30", 8, "23456789", ("10###", "12###", "13###")),
           _Place("Hamburg", "Hamburg", "DE", "40", 8, "23456789", ("20###", "22###")),
           _Place("München", "Muenchen", "DE", "89", 8, "23456789", ("80###", "81###")),
           _Place("Köln", "Koeln", "DE", "221", 7, "23456789", ("50###", "51###")),
           _Place("Frankfurt am Main", "Frankfurt am Main", "DE", "69", 8, "23456789", ("60###",)),
           _Place("Düsseldorf", "Duesseldorf", "DE", "211", 7, "23456789", ("40###",)),
           _Place("Leipzig", "Leipzig", "DE", "341", 7, "23456789", ("04###",))),
    "zh": (_Place("北京", "Beijing", "CN", "10", 8, "234567", ("1000##", "1001##")),
           _Place("上海", "Shanghai", "CN", "21", 8, "234567", ("2000##", "2011##")),
           _Place("广州", "Guangzhou", "CN", "20", 8, "234567", ("5100##",)),
           _Place("深圳", "Shenzhen", "CN", "755", 8, "234567", ("5180##",)),
           _Place("成都", "Chengdu", "CN", "28", 8, "234567", ("6100##",)),
           _Place("杭州", "Hangzhou", "CN", "571", 8, "234567", ("3100##",)),
           _Place("南京", "Nanjing", "CN", "25", 8, "234567", ("2100##",))),
}
_REGION_PLACES = {region: tuple(place for places in _PLACES.values() for place in places if place.region == region)
                  for region in _COUNTRIES}
_STREETS = {
    "en": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue", "King Street",
           "Green Lane", "Albert Road", "Oak Street", "Maple Avenue", "Lake Drive", "Cedar Lane", "Main Street"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße", "Lindenweg", "Birkenweg",
           "Goethestraße", "Schillerstraße", "Am Markt", "Mühlenweg", "Friedrichstraße", "Königsallee"),
    "zh": ("人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "南京路", "朝阳路", "文化路", "新华路", "胜利街"),
}
_COMPANY_WORDS = {
    "en": ("Acorn", "Beacon", "Crescent", "Harbour", "Summit", "Meridian", "Oakridge", "Pinnacle", "Riverside",
           "Keystone", "Northgate", "Bluebell"),
    "de": ("Nordlicht", "Alpenblick", "Rheintal", "Sonnenschein", "Hansa", "Elbtal", "Schwarzwald", "Lindner",
           "Fröhlich", "Südstern"),
    "zh": ("华信:huaxin", "天成:tiancheng", "宏达:hongda", "鑫源:xinyuan", "恒通:hengtong", "金桥:jinqiao",
           "远航:yuanhang", "东方:dongfang", "瑞丰:ruifeng"),
}
_COMPANY_FORMS = {"en": ("{} Ltd", "{} Holdings Ltd", "{} Inc.", "{} LLC", "{} & Co", "{} Group"),
                  "de": ("{} GmbH", "{} AG", "{} GmbH & Co. KG", "{} e.K."),
                  "zh": ("{city}{}科技有限公司", "{}贸易有限公司", "{city}{}电子股份有限公司")}
_FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789-"}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_LETTERS = "ABDEFHJLNPRSTUWXY"
_BAD_PHONES = ("123", "000000", "0000 000", "12345", "999")
_PHONE_LAYOUTS = {
    "GB": ("{nat} {a} {b}",) * 3 + ("+{cc} {area} {a} {b}", "+{cc}{area}{sub}", "({nat}) {a} {b}",
                                    "+{cc} (0){area} {a} {b}", "00{cc} {area} {sub}", "{nat}{sub}"),
    "US": ("({area}) {a}-{b}",) * 3 + ("{area}-{a}-{b}", "{area}.{a}.{b}", "1-{area}-{a}-{b}", "+{cc} {area}-{a}-{b}",
                                       "+{cc}{area}{sub}", "001 {area} {a} {b}"),
    "DE": ("{nat} {sub}",) * 2 + ("{nat}/{sub}", "{nat}-{sub}", "{nat} {a} {b}", "+{cc} {area} {sub}",
                                  "+{cc} (0){area} {sub}", "+{cc}{area}{sub}", "00{cc} {area} {sub}"),
    "CN": ("{nat}{sub}",) * 3 + ("{nat}-{sub}", "{nat}-{a}-{b}", "{nat} {a} {b}", "+{cc} {area} {a} {b}",
                                 "+{cc}{area}{sub}", "00{cc} {area}{sub}"),
}
_PHONE_LAYOUTS["IE"] = _PHONE_LAYOUTS["GB"]
_ID_LAYOUTS = {"Dealer North": "{:07d}", "Dealer South": "{:06d}", "Webshop": "WEB-{:06d}", "Call centre": "CC{:05d}",
               "Trade fair": "TF-{:04d}"}
# (tag, weight) in the order they are applied: to the person first, then to the written record
_VARIATIONS = (("pinyin", 5), ("ascii_name", 2), ("nickname", 3), ("typo_name", 3), ("moved", 2), ("new_phone", 2),
               ("new_email", 2), ("swap_given_family", 1.5), ("fullwidth_digits", 1), ("missing_fields", 2),
               ("case_and_spacing", 2))
_NAME_VARIATIONS = frozenset(("pinyin", "ascii_name", "nickname", "typo_name", "swap_given_family"))
_MEAN_GROUP = 0.45 * 2.5 + 0.35 * 3 + 0.2 * 2  # households of 2–3, colleagues 2–4, namesakes 2
# chance that the next entity starts a look-alike group, so that LOOKALIKE_SHARE of all entities are in one
_GROUP_START = LOOKALIKE_SHARE / (_MEAN_GROUP - LOOKALIKE_SHARE * (_MEAN_GROUP - 1))
_DOB_RANGE = (date(1936, 1, 1).toordinal(), date(2007, 1, 1).toordinal())


@dataclass(frozen=True)
class DemoData:
    """Rows with their truth. ``variations`` is empty for an entity's first record and never for its duplicates;
    ``lookalike`` is (kind, group id) for people in a household, colleague or namesake group, else None."""

    rows: list[list[str]]
    entity: list[int]
    defects: list[tuple[str, ...]]
    variations: list[tuple[str, ...]]
    lookalike: list[tuple[str, int] | None]
    header: list[str] = field(default_factory=lambda: list(HEADER))


@dataclass(frozen=True, slots=True)
class _Company:
    name: str
    domain: str
    phone: tuple[str, str, str]
    street: str
    place: _Place
    postcode: str


@dataclass(slots=True)
class _Person:
    locale: str
    place: _Place
    given: str
    family: str
    given_latin: str  # pinyin, or the ASCII spelling emails are made from
    family_latin: str
    dob: int  # ordinal, 0 when unknown
    company: _Company | None
    email: str
    phone: tuple[str, str, str] | None  # (calling code, area or mobile prefix, subscriber)
    street: str
    postcode: str
    latin: bool = False  # the name is written in pinyin or without umlauts


def generate(records: int, seed: int = 1, locales: Sequence[str] = LOCALES, today: date | None = None) -> DemoData:
    """``records`` rows of people from ``locales``, the same for the same arguments (``today`` only shifts dates)."""
    if records < 0:
        raise ValueError("records must not be negative")
    unknown = [name for name in locales if name not in LOCALES]
    if unknown or not locales:
        raise ValueError(f"locales must be some of {', '.join(LOCALES)}")
    builder = _Builder(random.Random(seed), tuple(locales), (today or date.today()).toordinal())
    while len(builder.rows) < records:
        builder.add(records - len(builder.rows))
    return builder.finish()


def true_pairs(entity: Sequence[int]) -> set[tuple[int, int]]:
    """Every (i, j), i < j, of row indices that belong to the same entity: the duplicates to find."""
    groups: dict[int, list[int]] = {}
    for index, key in enumerate(entity):
        groups.setdefault(key, []).append(index)
    return {pair for members in groups.values() if len(members) > 1 for pair in itertools.combinations(members, 2)}


def write_csv(path: Path, data: DemoData) -> None:
    """Write the header and rows as UTF-8 CSV, as a customer's export would arrive."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(data.header)
        writer.writerows(data.rows)


class _Builder:
    """Adds people and their records; at the end the rows are shuffled and get per-source ids."""

    def __init__(self, rng: random.Random, locales: tuple[str, ...], today: int) -> None:
        self.rng = rng
        self.locales = locales
        self.today = today
        self.rows: list[list[str]] = []
        self.entity: list[int] = []
        self.defects: list[tuple[str, ...]] = []
        self.variations: list[tuple[str, ...]] = []
        self.lookalike: list[tuple[str, int] | None] = []
        self.entities = 0
        self.groups = 0
        self.emails: set[str] = set()  # an address belongs to one person, as in life

    def add(self, budget: int) -> None:
        """One person, or a look-alike group of people, with their records: at most ``budget`` rows."""
        rng = self.rng
        locale = rng.choice(self.locales)
        kind = ""
        if rng.random() < _GROUP_START:
            kind = rng.choices(("household", "colleagues", "namesakes"), cum_weights=(45, 80, 100))[0]
            people = self._lookalikes(kind, locale)
        else:
            people = [self._person(locale)]
        sizes = []
        for _ in people:
            size = 1 if rng.random() < SINGLE_SHARE else rng.choices((2, 3, 4), cum_weights=(65, 90, 100))[0]
            size = min(size, budget - sum(sizes))
            if size == 0:
                break
            sizes.append(size)
        tag = None
        if len(sizes) > 1:
            self.groups += 1
            tag = (kind, self.groups)
        for person, size in zip(people, sizes):
            self._records(person, size, tag)
            self.entities += 1

    def finish(self) -> DemoData:
        rng = self.rng
        order = list(range(len(self.rows)))
        rng.shuffle(order)
        rows = [self.rows[i] for i in order]
        next_id = {source: rng.randrange(1, 5000) for source in SOURCES}
        for row in rows:
            source = row[_SOURCE]
            number = next_id[source]
            next_id[source] = number + 1 + (rng.randrange(1, 20) if rng.random() < 0.1 else 0)  # deleted customers
            row[_ID] = _ID_LAYOUTS[source].format(number)
        return DemoData(rows, [self.entity[i] for i in order], [self.defects[i] for i in order],
                        [self.variations[i] for i in order], [self.lookalike[i] for i in order])

    # -- people ---------------------------------------------------------------------------

    def _person(self, locale: str, region: str | None = None) -> _Person:
        rng = self.rng
        place = rng.choice(_REGION_PLACES[region] if region else _PLACES[locale])
        given, given_latin = self._given(locale, place)
        family, family_latin = self._family(locale)
        company = self._company(locale, place.region) if rng.random() < 0.35 else None
        person = _Person(locale, place, given, family, given_latin, family_latin,
                         self._dob() if rng.random() < 0.9 else 0, company, "", None, self._street(locale),
                         _fill(rng, rng.choice(place.postcodes)))
        if rng.random() < 0.9:
            person.email = self._email(person)
        if rng.random() < 0.92:
            person.phone = self._mobile(place) if rng.random() < 0.65 else self._landline(place)
        return person

    def _given(self, locale: str, place: _Place) -> tuple[str, str]:
        rng = self.rng
        if locale == "zh":
            return rng.choice(_ZH_GIVEN)
        if locale == "de":
            name = rng.choice(_DE_GIVEN)
        else:
            name = rng.choice(_IE_GIVEN if place.region == "IE" and rng.random() < 0.5 else _EN_GIVEN)
        return name, _latin(name)

    def _family(self, locale: str) -> tuple[str, str]:
        if locale == "zh":
            return self.rng.choice(_ZH_FAMILY)
        name = self.rng.choice(_DE_FAMILY if locale == "de" else _EN_FAMILY)
        return name, _latin(name)

    def _dob(self) -> int:
        return self.rng.randrange(*_DOB_RANGE)

    def _company(self, locale: str, region: str) -> _Company:
        rng = self.rng
        place = rng.choice(_REGION_PLACES[region])
        word = rng.choice(_COMPANY_WORDS[locale])
        if locale == "zh":
            word, latin = word.split(":")
            name, domain = rng.choice(_COMPANY_FORMS[locale]).format(word, city=place.city), latin + ".com.cn"
        else:
            name, domain = rng.choice(_COMPANY_FORMS[locale]).format(word), _local(_latin(word)) + \
                _COUNTRIES[region].tld
        return _Company(name, domain, self._landline(place), self._street(locale), place,
                        _fill(rng, rng.choice(place.postcodes)))

    def _street(self, locale: str) -> str:
        rng = self.rng
        name, number = rng.choice(_STREETS[locale]), rng.randrange(1, 200)
        if locale == "zh":
            street = f"{name}{number}号"
            return f"{street}{rng.randrange(1, 20)}栋{rng.randrange(1, 30)}0{rng.randrange(1, 9)}室" \
                if rng.random() < 0.3 else street
        if locale == "de":
            return f"{name} {number}{rng.choice('ab')}" if rng.random() < 0.1 else f"{name} {number}"
        return f"Flat {rng.randrange(1, 30)}, {number} {name}" if rng.random() < 0.12 else f"{number} {name}"

    def _email(self, person: _Person, avoid: Sequence[str] = (), at_work: bool | None = None) -> str:
        rng = self.rng
        given, family = _local(person.given_latin), _local(person.family_latin)
        company = person.company
        if company is not None and (at_work if at_work is not None else rng.random() < 0.5):
            domain = company.domain
            local = rng.choice((f"{given}.{family}", f"{given[0]}.{family}", f"{given[0]}{family}", family))
        else:
            domain = rng.choice(_COUNTRIES[person.place.region].providers)
            number = rng.randrange(1, 100)
            year = f"{date.fromordinal(person.dob).year % 100:02d}" if person.dob else str(number)
            local = str(rng.randrange(10**5, 10**10)) if domain == "qq.com" else rng.choice((
                f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}", f"{given}.{family}{year}",
                f"{family}.{given}", f"{given}_{family}{number}", f"{given}{number}"))
        email = f"{local}@{domain}"
        while email in avoid or email in self.emails:
            email = f"{local}{rng.randrange(2, 1000)}@{domain}"
        self.emails.add(email)
        return email

    def _mobile(self, place: _Place) -> tuple[str, str, str]:
        country = _COUNTRIES[place.region]
        if not country.mobiles:
            return self._landline(place)
        prefix, digits = self.rng.choice(country.mobiles)
        return country.code, prefix, f"{self.rng.randrange(10 ** digits):0{digits}d}"

    def _landline(self, place: _Place) -> tuple[str, str, str]:
        rng = self.rng
        rest = place.digits - 1
        subscriber = f"{rng.choice(place.lead)}{rng.randrange(10 ** rest):0{rest}d}"
        return _COUNTRIES[place.region].code, place.area, subscriber

    def _lookalikes(self, kind: str, locale: str) -> list[_Person]:
        """Different people who look alike: a household, colleagues, or two people of the same name."""
        rng = self.rng
        base = self._person(locale)
        if kind == "colleagues":
            company = base.company or self._company(locale, base.place.region)
            people: list[_Person] = []
            for index in range(rng.choice((2, 3, 4))):
                person = base if index == 0 else self._person(locale, company.place.region)
                person.company, person.phone = company, company.phone
                if rng.random() < 0.5:  # reached at the office
                    person.place, person.street, person.postcode = company.place, company.street, company.postcode
                person.email = self._email(person, [p.email for p in people], at_work=True)
                people.append(person)
            return people
        base.dob = base.dob or self._dob()
        if kind == "household":
            base.phone = self._landline(base.place)
            people = [base]
            for _ in range(rng.choice((1, 1, 2))):
                member = replace(base, company=None)
                while any(member.given == p.given for p in people):
                    member.given, member.given_latin = self._given(locale, base.place)
                while any(member.dob == p.dob for p in people):
                    member.dob = self._dob()
                member.email = self._email(member, [p.email for p in people]) if rng.random() < 0.7 else ""
                people.append(member)
            return people
        other = self._person(locale)
        other.given, other.family = base.given, base.family
        other.given_latin, other.family_latin = base.given_latin, base.family_latin
        while other.dob in (0, base.dob):
            other.dob = self._dob()
        if other.street == base.street:
            self._move(other)
        other.email = self._email(other, [base.email]) if other.email else ""
        return [base, other]

    # -- records --------------------------------------------------------------------------

    def _records(self, person: _Person, size: int, lookalike: tuple[str, int] | None) -> None:
        """The person's first record as they are, then duplicates that differ from it in chosen ways."""
        rng = self.rng
        first_source = rng.choice(SOURCES)
        for index in range(size):
            defects = self._defects()
            if index == 0:
                source, written, chosen, locked = first_source, person, [], set()
            else:
                source = first_source if rng.random() < SAME_SOURCE_SHARE else \
                    rng.choice([s for s in SOURCES if s != first_source])
                locked = {_LOCKS[d] for d in defects if d in _LOCKS}
                chosen = self._choose(person, locked)
                written = self._vary_person(person, chosen)
            row = self._render(written, source, defects)
            tags = self._vary_row(row, written, chosen, locked) if index else ()
            self._spoil(row, written, defects)
            self.rows.append(row)
            self.entity.append(self.entities)
            self.defects.append(defects)
            self.variations.append(tags)
            self.lookalike.append(lookalike)

    def _defects(self) -> tuple[str, ...]:
        rng = self.rng
        if rng.random() >= DEFECT_SHARE:
            return ()
        found = {rng.choice(DEFECTS)}
        if rng.random() < 0.1:
            found.add(rng.choice(DEFECTS))
        return tuple(d for d in DEFECTS if d in found)

    def _render(self, person: _Person, source: str, defects: tuple[str, ...]) -> list[str]:
        rng = self.rng
        place = person.place
        first, last = (person.given_latin, person.family_latin) if person.latin else (person.given, person.family)
        city = place.city
        if person.locale != "zh":
            full = f"{first} {last}"
        elif not person.latin:
            full = last + first
            city += "市" if rng.random() < 0.3 else ""
        else:
            full = rng.choice((f"{last} {first}", f"{last.upper()} {first}", f"{first} {last}"))
            city = place.city_latin if rng.random() < 0.5 else city
        street = person.street
        if person.locale == "de" and rng.random() < 0.2:
            street = street.replace("straße", "str.")
        spellings = _COUNTRIES[place.region].spellings
        country = spellings[0] if rng.random() < 0.7 else rng.choice(spellings)
        days = rng.randrange(*STALE_DAYS) if "stale" in defects else rng.randrange(FRESH_DAYS)
        hours, seconds = divmod(rng.randrange(86400), 3600)
        updated = date.fromordinal(self.today - days).isoformat()
        updated += f"T{hours:02d}:{seconds // 60:02d}:{seconds % 60:02d}" if rng.random() < 0.8 else \
            f" {hours:02d}:{seconds // 60:02d}"
        return ["", first, last, full, person.company.name if person.company else "", person.email,
                self._phone_text(person.phone, place.region) if person.phone else "", street, city, person.postcode,
                country, self._date_text(person.dob, place.region) if person.dob else "", updated, source]

    def _phone_text(self, phone: tuple[str, str, str], region: str) -> str:
        code, area, sub = phone
        national = area if code == "1" or (code == "86" and area[0] == "1") else "0" + area
        half = 3 if code == "1" else len(sub) // 2
        layout = self.rng.choice(_PHONE_LAYOUTS[region])
        return layout.format(cc=code, area=area, nat=national, sub=sub, a=sub[:half], b=sub[half:])

    def _date_text(self, ordinal: int, region: str) -> str:
        day, draw = date.fromordinal(ordinal), self.rng.random()
        if region == "DE" and draw < 0.3:
            return f"{day.day:02d}.{day.month:02d}.{day.year}"
        if region in ("GB", "IE") and draw < 0.15:
            return f"{day.day:02d}/{day.month:02d}/{day.year}"
        if region == "CN" and draw < 0.15:
            return f"{day.year}/{day.month:02d}/{day.day:02d}"
        return day.isoformat()

    def _spoil(self, row: list[str], person: _Person, defects: tuple[str, ...]) -> None:
        rng = self.rng
        for defect in defects:
            if defect == "bad_email":
                local = row[_EMAIL].partition("@")[0].strip() or _local(person.given_latin) or "info"
                domain = rng.choice(_COUNTRIES[person.place.region].providers)
                row[_EMAIL] = rng.choice((f"{local}@@{domain}", f"{local}@{domain.split('.')[0]}",
                                          f"{local}.{domain}", f"{local}@{domain.replace('.', '..')}", "no email"))
            elif defect == "impossible_phone":
                row[_PHONE] = rng.choice(_BAD_PHONES)
            elif defect == "future_birth_date":
                row[_DOB] = self._date_text(self.today + rng.randrange(1, 3000), person.place.region)
            elif defect == "missing_name":
                row[_FIRST] = row[_LAST] = row[_FULL] = ""

    # -- variations -----------------------------------------------------------------------

    def _choose(self, person: _Person, locked: set[str]) -> list[str]:
        """One to three ways a duplicate differs, weighted, each possible for this person and record."""
        rng = self.rng
        chosen: list[str] = []
        for _ in range(rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]):
            options = [(tag, weight) for tag, weight in _VARIATIONS
                       if tag not in chosen and self._possible(tag, person, chosen, locked)]
            draw = rng.random() * sum(weight for _, weight in options)
            for tag, weight in options:
                draw -= weight
                if draw < 0:
                    break
            chosen.append(tag)
        return chosen

    @staticmethod
    def _possible(tag: str, person: _Person, chosen: list[str], locked: set[str]) -> bool:
        if tag in _NAME_VARIATIONS and "name" in locked:
            return False
        if tag == "pinyin":
            return person.locale == "zh"
        if tag == "ascii_name":
            return person.locale == "de" and (person.given, person.family) != (person.given_latin, person.family_latin)
        if tag == "nickname":
            return person.locale == "en" and person.given in NICKNAMES
        if tag == "typo_name":
            return person.locale != "zh" or "pinyin" in chosen
        if tag in ("new_phone", "new_email"):
            return tag[4:] not in locked
        if tag == "fullwidth_digits":
            return person.locale == "zh" and person.phone is not None and "phone" not in locked
        if tag == "missing_fields":
            return bool(_blankable(person.email, person.phone, person.dob, chosen, locked))
        return True

    def _vary_person(self, person: _Person, chosen: list[str]) -> _Person:
        rng = self.rng
        varied = replace(person)
        varied.latin = "pinyin" in chosen or "ascii_name" in chosen
        if "nickname" in chosen:
            varied.given = varied.given_latin = rng.choice(NICKNAMES[person.given])
        if "typo_name" in chosen:
            name = "family" if "nickname" in chosen or rng.random() < 0.5 else "given"
            name += "_latin" if varied.latin else ""
            setattr(varied, name, _typo(rng, getattr(varied, name)))
        if "moved" in chosen:
            self._move(varied)
        if "new_phone" in chosen:
            while varied.phone == person.phone:
                varied.phone = self._mobile(varied.place)
        if "new_email" in chosen:
            varied.email = self._email(varied, [person.email])
        return varied

    def _move(self, person: _Person) -> None:
        rng = self.rng
        old = (person.street, person.postcode)
        while (person.street, person.postcode) == old:
            if rng.random() < 0.6:
                person.place = rng.choice(_REGION_PLACES[person.place.region])
            person.street = self._street(person.locale)
            person.postcode = _fill(rng, rng.choice(person.place.postcodes))

    def _vary_row(self, row: list[str], person: _Person, chosen: list[str], locked: set[str]) -> tuple[str, ...]:
        """Apply the variations that change how the record is written; return all that took effect."""
        rng = self.rng
        applied = [tag for tag in chosen if tag not in ("swap_given_family", "fullwidth_digits", "missing_fields",
                                                           "case_and_spacing")]
        if "swap_given_family" in chosen and row[_FIRST] != row[_LAST]:
            first, last = row[_FIRST], row[_LAST]
            if person.locale == "zh" and not person.latin or rng.random() < 0.6:
                row[_FIRST], row[_LAST] = last, first  # the full name in characters stays as it was written
                row[_FULL] = row[_FULL] if person.locale == "zh" and not person.latin else f"{last} {first}"
            else:
                row[_FULL] = f"{last}, {first}"
            applied.append("swap_given_family")
        if "fullwidth_digits" in chosen:
            row[_PHONE] = row[_PHONE].translate(_FULLWIDTH)
            applied.append("fullwidth_digits")
        if "missing_fields" in chosen:
            blankable = _blankable(row[_EMAIL], row[_PHONE], row[_DOB], chosen, locked)
            if blankable:
                for index in rng.sample(blankable, rng.choice((1, 1, 2)) if len(blankable) > 1 else 1):
                    row[index] = ""
                applied.append("missing_fields")
        if "case_and_spacing" in chosen and self._recase(row, locked):
            applied.append("case_and_spacing")
        return tuple(tag for tag, _ in _VARIATIONS if tag in applied)

    def _recase(self, row: list[str], locked: set[str]) -> bool:
        """Shout, whisper or pad one or two fields; True if anything changed."""
        rng = self.rng
        edits = [edit for edit in _RECASE if edit[0] not in locked]
        wanted, done = rng.choice((1, 1, 2)), 0
        for _, index, change in rng.sample(edits, len(edits)):
            before = row[index]
            row[index] = change(before)
            done += row[index] != before
            if done == wanted:
                break
        return done > 0


def _blankable(email: object, phone: object, dob: object, chosen: list[str], locked: set[str]) -> list[int]:
    """Row positions a "missing_fields" variation may blank: present, and not already another variation's."""
    found = []
    if email and "email" not in locked and "new_email" not in chosen:
        found.append(_EMAIL)
    if phone and "phone" not in locked and "new_phone" not in chosen and "fullwidth_digits" not in chosen:
        found.append(_PHONE)
    if dob and "dob" not in locked:
        found.append(_DOB)
    return found


def _padded(text: str) -> str:
    return "  ".join(text.split(" ")) if " " in text else text[:1] + " " + text[1:]


_RECASE = (  # (field a defect may lock, row position, change)
    ("name", _FULL, str.upper), ("name", _LAST, str.upper), ("name", _FULL, str.lower), ("name", _FULL, _padded),
    ("name", _FIRST, lambda text: f" {text} "), ("email", _EMAIL, str.title), ("", _STREET, str.upper),
    ("", _CITY, lambda text: f" {text}  "), ("", _POSTCODE, lambda text: text.lower().replace(" ", "")),
)


def _typo(rng: random.Random, word: str) -> str:
    """A letter swapped with the next, dropped or doubled (never the first); always a different word."""
    for _ in range(4):
        if len(word) < 3:
            break
        at = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
        elif kind == 1:
            typo = word[:at] + word[at + 1:]
        else:
            typo = word[:at] + word[at] + word[at:]
        if typo != word:
            return typo
    return word + word[-1:]


def _fill(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice(_LETTERS) if c == "@" else c for c in pattern)


@functools.cache
def _latin(name: str) -> str:
    """The name in ASCII letters: umlauts spelled out (Müller → Mueller), other accents dropped."""
    folded = unicodedata.normalize("NFKD", name.translate(_UMLAUTS))
    return "".join(c for c in folded if not unicodedata.combining(c))


@functools.cache
def _local(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())
