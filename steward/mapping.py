"""Canonical fields and suggestions for mapping a source's columns to them.

Suggestions come from header names in English, German and Chinese; the user's
explicit choices always win. Unmapped columns are kept and exported.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

FIELDS = [
    "customer_id", "full_name", "first_name", "last_name", "company", "email", "phone",
    "street", "city", "postcode", "region", "country", "date_of_birth", "updated_at",
]

_SYNONYMS: dict[str, list[str]] = {
    "customer_id": ["customer id", "customer no", "customer number", "cust id", "client id", "id", "account id",
                    "account number", "kundennummer", "kunden nr", "kundennr", "kunde id", "客户编号", "客户号", "客户id",
                    "编号", "顧客番号"],
    "full_name": ["name", "full name", "contact name", "contact", "customer name", "vollständiger name",
                  "姓名", "名称", "客户名称", "联系人", "氏名"],
    "first_name": ["first name", "firstname", "given name", "forename", "vorname", "名", "名字"],
    "last_name": ["last name", "lastname", "surname", "family name", "nachname", "familienname", "姓", "姓氏"],
    "company": ["company", "company name", "organisation", "organization", "org", "employer", "business",
                "firma", "unternehmen", "公司", "公司名称", "单位", "会社名"],
    "email": ["email", "e mail", "email address", "mail", "e mail adresse", "邮箱", "电子邮件", "电子邮箱", "邮件",
              "メール"],
    "phone": ["phone", "phone number", "telephone", "tel", "mobile", "cell", "mobile phone", "telefon",
              "telefonnummer", "handy", "mobil", "手机", "手机号", "电话", "联系电话", "电话号码", "電話"],
    "street": ["street", "address", "street address", "address line 1", "address1", "straße", "strasse",
               "anschrift", "adresse", "地址", "街道", "住所"],
    "city": ["city", "town", "ort", "stadt", "城市", "市"],
    "postcode": ["postcode", "post code", "postal code", "zip", "zip code", "zipcode", "plz", "postleitzahl",
                 "邮编", "邮政编码", "郵便番号"],
    "region": ["region", "state", "province", "county", "bundesland", "省", "省份", "地区", "都道府県"],
    "country": ["country", "country code", "nation", "land", "国家", "国"],
    "date_of_birth": ["date of birth", "dob", "birth date", "birthdate", "birthday", "geburtsdatum",
                      "出生日期", "生日", "生年月日"],
    "updated_at": ["updated at", "updated", "last updated", "last modified", "modified", "changed",
                   "geändert", "aktualisiert", "更新时间", "修改时间", "更新日期"],
}


def _normalise(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).casefold().strip()
    text = re.sub(r"[_\-./:#]+", " ", text)
    return " ".join(text.split())


_LOOKUP = {_normalise(s): field for field, names in _SYNONYMS.items() for s in names + [field]}


def suggest_field(header: str) -> str | None:
    """The canonical field a header most likely means, or None."""
    return _LOOKUP.get(_normalise(header))


def suggest_mapping(headers: Sequence[str]) -> list[str | None]:
    """One suggestion per column; each field is suggested for its first matching column only."""
    taken: set[str] = set()
    result: list[str | None] = []
    for header in headers:
        field = suggest_field(header)
        if field in taken:
            field = None
        if field:
            taken.add(field)
        result.append(field)
    return result


def check_field(field: str) -> str | None:
    """Validate a field name from the user; '' or '-' means unmapped."""
    if field in ("", "-"):
        return None
    if field not in FIELDS:
        raise ValueError(f"'{field}' is not a canonical field. Choose one of: {', '.join(FIELDS)}.")
    return field
