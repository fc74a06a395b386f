"""The tables the demo contact list is drawn from: names, places, streets, companies and layouts.

They are kept apart from the generator so its logic reads without scrolling past data. Order
matters: the generator draws from these tuples by position, so reordering one changes every row.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = ["customer_id", "first_name", "last_name", "full_name", "company", "email", "phone", "street", "city",
          "postcode", "country", "date_of_birth", "updated_at", "source"]
# row positions of the columns the generator writes to after a record is rendered
ID, FIRST, LAST, FULL, _, EMAIL, PHONE, STREET, CITY, POSTCODE, _, DOB, _, SOURCE = range(len(HEADER))

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
EN_GIVEN = (*NICKNAMES, "Emma", "Olivia", "Sophie", "Chloe", "Grace", "Lucy", "Mary", "Sarah", "Laura", "Karen",
            "Helen", "Ethan", "Noah", "Oliver", "Paul", "Mark", "Gary", "Brian", "Kevin", "Ryan")
IE_GIVEN = ("Siobhán", "Aoife", "Niamh", "Saoirse", "Róisín", "Seán", "Ciarán", "Pádraig", "Oisín", "Eoin")
EN_FAMILY = ("Smith", "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Johnson",
             "Miller", "Davis", "Garcia", "Martin", "Thompson", "White", "Clarke", "Walker", "Wright", "Robinson",
             "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis", "Baker", "MacDonald", "O'Brien",
             "Murphy", "Kelly", "O'Sullivan", "Walsh", "McCarthy", "Byrne", "O'Connor")
DE_GIVEN = ("Hans", "Jürgen", "Günter", "Klaus", "Stefan", "Michael", "Thomas", "Andreas", "Wolfgang", "Uwe", "Jörg",
            "Matthias", "Sebastian", "Lukas", "Jonas", "Maximilian", "Björn", "Sören", "Anna", "Ursula", "Monika",
            "Petra", "Sabine", "Brigitte", "Renate", "Karin", "Gisela", "Claudia", "Susanne", "Käthe", "Katrin",
            "Lena", "Hannah", "Sophie", "Marie", "Mia", "Dörte", "Bärbel")
DE_FAMILY = ("Müller", "Müller", "Schmidt", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
             "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
             "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann",
             "Köhler", "Maier", "Groß", "Jäger", "Weiß", "Böhm", "Fuchs", "Vogel", "Günther", "Roßmann")
# (characters, pinyin); the commonest family names twice, as in real lists
ZH_FAMILY = tuple(pair.split(":") for pair in (
    "王:Wang 王:Wang 李:Li 李:Li 张:Zhang 张:Zhang 刘:Liu 陈:Chen 杨:Yang 黄:Huang 赵:Zhao 吴:Wu 周:Zhou 徐:Xu 孙:Sun "
    "马:Ma 朱:Zhu 胡:Hu 郭:Guo 何:He 林:Lin 高:Gao 罗:Luo 郑:Zheng 梁:Liang 谢:Xie 宋:Song 唐:Tang 韩:Han 冯:Feng "
    "邓:Deng 曹:Cao 欧阳:Ouyang").split())
ZH_GIVEN = tuple(pair.split(":") for pair in (
    "伟:Wei 芳:Fang 娜:Na 敏:Min 静:Jing 丽:Li 强:Qiang 磊:Lei 军:Jun 洋:Yang 勇:Yong 艳:Yan 杰:Jie 娟:Juan 涛:Tao "
    "明:Ming 超:Chao 秀英:Xiuying 霞:Xia 平:Ping 刚:Gang 桂英:Guiying 建华:Jianhua 志强:Zhiqiang 晓明:Xiaoming "
    "海燕:Haiyan 婷:Ting 浩然:Haoran 子涵:Zihan 欣怡:Xinyi 梓轩:Zixuan 一诺:Yinuo 思远:Siyuan 雨萱:Yuxuan "
    "俊杰:Junjie 嘉怡:Jiayi 文博:Wenbo 丹:Dan 鹏:Peng 慧:Hui").split())


@dataclass(frozen=True)
class Place:
    """A city with what makes its phone numbers and postcodes look real, so validation passes them."""

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


COUNTRIES = {
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
PLACES = {  # city, its latin spelling, region, area code, subscriber digits and their first digit, postcodes
    "en": (Place("London", "London", "GB", "20", 8, "378", ("SW1A #@@", "E1 #@@", "N7 #@@", "SE15 #@@", "NW3 #@@")),
           Place("Manchester", "Manchester", "GB", "161", 7, "2345", ("M1 #@@", "M14 #@@", "M20 #@@")),
           Place("Birmingham", "Birmingham", "GB", "121", 7, "2345", ("B1 #@@", "B15 #@@")),
           Place("Leeds", "Leeds", "GB", "113", 7, "2345", ("LS1 #@@", "LS6 #@@")),
           Place("Edinburgh", "Edinburgh", "GB", "131", 7, "2345", ("EH1 #@@", "EH3 #@@")),
           Place("New York", "New York", "US", "212", 7, "2346789", ("100##", "101##")),
           Place("Boston", "Boston", "US", "617", 7, "2346789", ("021##",)),
           Place("Chicago", "Chicago", "US", "312", 7, "2346789", ("606##",)),
           Place("San Francisco", "San Francisco", "US", "415", 7, "2346789", ("941##",)),
           Place("Dublin", "Dublin", "IE", "1", 7, "2345678", ("D02 @#@#", "D04 @#@#", "D08 @#@#")),
           Place("Cork", "Cork", "IE", "21", 7, "2345678", ("T12 @#@#",))),
    "de": (Place("Berlin", "Berlin", "DE", "30", 8, "23456789", ("10###", "12###", "13###")),
           Place("Hamburg", "Hamburg", "DE", "40", 8, "23456789", ("20###", "22###")),
           Place("München", "Muenchen", "DE", "89", 8, "23456789", ("80###", "81###")),
           Place("Köln", "Koeln", "DE", "221", 7, "23456789", ("50###", "51###")),
           Place("Frankfurt am Main", "Frankfurt am Main", "DE", "69", 8, "23456789", ("60###",)),
           Place("Düsseldorf", "Duesseldorf", "DE", "211", 7, "23456789", ("40###",)),
           Place("Leipzig", "Leipzig", "DE", "341", 7, "23456789", ("04###",))),
    "zh": (Place("北京", "Beijing", "CN", "10", 8, "234567", ("1000##", "1001##")),
           Place("上海", "Shanghai", "CN", "21", 8, "234567", ("2000##", "2011##")),
           Place("广州", "Guangzhou", "CN", "20", 8, "234567", ("5100##",)),
           Place("深圳", "Shenzhen", "CN", "755", 8, "234567", ("5180##",)),
           Place("成都", "Chengdu", "CN", "28", 8, "234567", ("6100##",)),
           Place("杭州", "Hangzhou", "CN", "571", 8, "234567", ("3100##",)),
           Place("南京", "Nanjing", "CN", "25", 8, "234567", ("2100##",))),
}
REGION_PLACES = {region: tuple(place for places in PLACES.values() for place in places if place.region == region)
                 for region in COUNTRIES}
STREETS = {
    "en": ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue", "King Street",
           "Green Lane", "Albert Road", "Oak Street", "Maple Avenue", "Lake Drive", "Cedar Lane", "Main Street"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße", "Dorfstraße", "Lindenweg", "Birkenweg",
           "Goethestraße", "Schillerstraße", "Am Markt", "Mühlenweg", "Friedrichstraße", "Königsallee"),
    "zh": ("人民路", "中山路", "解放路", "建设路", "和平路", "长江路", "南京路", "朝阳路", "文化路", "新华路", "胜利街"),
}
COMPANY_WORDS = {
    "en": ("Acorn", "Beacon", "Crescent", "Harbour", "Summit", "Meridian", "Oakridge", "Pinnacle", "Riverside",
           "Keystone", "Northgate", "Bluebell"),
    "de": ("Nordlicht", "Alpenblick", "Rheintal", "Sonnenschein", "Hansa", "Elbtal", "Schwarzwald", "Lindner",
           "Fröhlich", "Südstern"),
    "zh": ("华信:huaxin", "天成:tiancheng", "宏达:hongda", "鑫源:xinyuan", "恒通:hengtong", "金桥:jinqiao",
           "远航:yuanhang", "东方:dongfang", "瑞丰:ruifeng"),
}
COMPANY_FORMS = {"en": ("{} Ltd", "{} Holdings Ltd", "{} Inc.", "{} LLC", "{} & Co", "{} Group"),
                 "de": ("{} GmbH", "{} AG", "{} GmbH & Co. KG", "{} e.K."),
                 "zh": ("{city}{}科技有限公司", "{}贸易有限公司", "{city}{}电子股份有限公司")}
PHONE_LAYOUTS = {
    "GB": ("{nat} {a} {b}",) * 3 + ("+{cc} {area} {a} {b}", "+{cc}{area}{sub}", "({nat}) {a} {b}",
                                    "+{cc} (0){area} {a} {b}", "00{cc} {area} {sub}", "{nat}{sub}"),
    "US": ("({area}) {a}-{b}",) * 3 + ("{area}-{a}-{b}", "{area}.{a}.{b}", "1-{area}-{a}-{b}", "+{cc} {area}-{a}-{b}",
                                       "+{cc}{area}{sub}", "001 {area} {a} {b}"),
    "DE": ("{nat} {sub}",) * 2 + ("{nat}/{sub}", "{nat}-{sub}", "{nat} {a} {b}", "+{cc} {area} {sub}",
                                  "+{cc} (0){area} {sub}", "+{cc}{area}{sub}", "00{cc} {area} {sub}"),
    "CN": ("{nat}{sub}",) * 3 + ("{nat}-{sub}", "{nat}-{a}-{b}", "{nat} {a} {b}", "+{cc} {area} {a} {b}",
                                 "+{cc}{area}{sub}", "00{cc} {area}{sub}"),
}
PHONE_LAYOUTS["IE"] = PHONE_LAYOUTS["GB"]
ID_LAYOUTS = {"Dealer North": "{:07d}", "Dealer South": "{:06d}", "Webshop": "WEB-{:06d}", "Call centre": "CC{:05d}",
              "Trade fair": "TF-{:04d}"}
