"""Trader names as comparable keys: small pure functions, each tested on literal names.

A bill of lading spells one firm many ways ('Golden Metals Co., Ltd.', 'GOLDEN METALS CO
LTD', 'Golden Metals Company Limited (Thailand)'). Before any matching, a name is folded
to its core: accents removed (never transliterated from another script), upper case,
punctuation gone, letters written with dots joined ('S.A. de C.V.' -> 'SA DE CV'), a
country in brackets and an address after the name cut off, and the legal form of the
firm's country taken off the end (kept aside, canonical, as weak evidence). What is left
is the name the model compares.

Names that cannot be compared on their own (empty, one character, only a legal form,
written in a script other than Latin) get a status other than ``ok``: the resolution
keeps each as its own entity and never merges it on the name alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

OK = "ok"
EMPTY = "empty"
TOO_SHORT = "too_short"
LEGAL_FORM_ONLY = "legal_form_only"
NON_LATIN = "non_latin"

STATUS_REASONS = {
    EMPTY: "the name is empty",
    TOO_SHORT: "the name has fewer than two letters or digits, or no letter",
    LEGAL_FORM_ONLY: "the name is only a legal form",
    NON_LATIN: "the name is written in a script other than Latin",
}
"""Why a name is not matched by the model, in words for the analyst."""

# Letters that Unicode does not decompose into a base letter and a mark.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "\u0131": "i",
        "þ": "th",
        "\u00de": "TH",
    }
)

# Legal forms: canonical form -> spellings after folding (tokens separated by one space).
# Forms in GENERIC are taken off any name; the short ones that are also words or initials
# elsewhere (SA, AS, AG, NV, PT ...) only off the names of the countries that use them.
GENERIC: dict[str, tuple[str, ...]] = {
    "CO LTD": ("CO LTD", "COMPANY LIMITED", "CO LIMITED", "COMPANY LTD", "COLTD"),
    "LTD": ("LTD", "LIMITED"),
    "CO": ("CO", "COMPANY"),
    "INC": ("INC", "INCORPORATED"),
    "CORP": ("CORP", "CORPORATION"),
    "LLC": ("LLC",),
    "LLP": ("LLP",),
    "PLC": ("PLC", "PUBLIC LIMITED COMPANY", "PUBLIC CO LTD", "PUBLIC COMPANY LIMITED", "PCL"),
    "PTE LTD": ("PTE LTD", "PTE LIMITED"),
    "PVT LTD": ("PVT LTD", "PVT LIMITED", "PRIVATE LIMITED", "PRIVATE LTD"),
    "SDN BHD": ("SDN BHD", "SENDIRIAN BERHAD"),
    "GMBH": ("GMBH", "GMBH CO KG"),
    "JSC": ("JSC", "JOINT STOCK COMPANY", "JOINT STOCK CO"),
    "FZE": ("FZE", "FZCO", "FZ LLC", "FZC"),
    "SA DE CV": ("SA DE CV", "SAPI DE CV", "S DE RL DE CV"),
    "LTDA": ("LTDA",),
}
BY_COUNTRY: dict[str, dict[str, tuple[str, ...]]] = {
    "MY": {"BHD": ("BHD", "BERHAD")},
    "MX": {"SA": ("SA",)},
    "DE": {"AG": ("AG",), "KG": ("KG",), "UG": ("UG",)},
    "AT": {"AG": ("AG",), "KG": ("KG",)},
    "CH": {"AG": ("AG",), "SA": ("SA",), "SARL": ("SARL",)},
    "VN": {"JSC": ("JSC", "CTCP")},
    "AE": {"FZE": ("DMCC",)},
    "JP": {"KK": ("KK", "KABUSHIKI KAISHA", "GK")},
    "BE": {"NV": ("NV",), "BV": ("BV", "BVBA"), "SA": ("SA",), "SRL": ("SRL", "SPRL")},
    "NL": {"NV": ("NV",), "BV": ("BV",)},
    "FR": {"SAS": ("SAS", "SASU"), "SA": ("SA",), "SARL": ("SARL", "EURL")},
    "IT": {"SPA": ("SPA",), "SRL": ("SRL",)},
    "ES": {"SL": ("SL", "SLU"), "SA": ("SA",)},
    "BR": {"SA": ("SA",), "EIRELI": ("EIRELI",)},
    "TR": {"AS": ("AS", "ANONIM SIRKETI")},
    "KZ": {"LLP": ("TOO",), "JSC": ("AO",)},
    "RU": {"LLC": ("OOO",), "JSC": ("AO", "OAO", "ZAO", "PAO")},
    "ID": {"TBK": ("TBK",)},
    "SE": {"AB": ("AB",)},
    "NO": {"AS": ("AS", "ASA")},
    "DK": {"AS": ("AS", "APS")},
    "FI": {"OY": ("OY", "OYJ")},
}
# Legal forms written before the name.
PREFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "ID": {"PT": ("PT", "CV")},
    "RU": {"LLC": ("OOO",), "JSC": ("AO", "OAO", "ZAO", "PAO")},
    "KZ": {"LLP": ("TOO",)},
    "VN": {"JSC": ("CTCP",)},
}
ADDRESS_WORDS = frozenset(
    {
        "RD",
        "ROAD",
        "ST",
        "STREET",
        "AVE",
        "AVENUE",
        "NO",
        "BLDG",
        "BUILDING",
        "FLOOR",
        "FL",
        "TOWER",
        "DISTRICT",
        "DIST",
        "SOI",
        "MOO",
        "JALAN",
        "JLN",
        "CALLE",
        "COL",
        "KM",
        "SUITE",
        "UNIT",
        "ROOM",
        "RM",
        "BOX",
        "PROVINCE",
        "WARD",
        "LANE",
        "BLVD",
    }
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_BRACKETS = re.compile(r"[(\[]([^)\]]*)[)\]]")


@dataclass(frozen=True)
class Name:
    """A trader name folded for matching: its core, its legal form, the address cut off."""

    core: str
    legal_form: str | None
    address: str | None
    status: str

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.core.split())


def fold(text: str) -> str:
    """Upper case, accents removed; letters of other scripts are kept as they are (they
    are told apart by ``is_latin``, never transliterated)."""
    composed = unicodedata.normalize("NFKC", text).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", composed)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def is_latin(ch: str) -> bool:
    return not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")


def latin_only(text: str) -> tuple[str, bool]:
    """The text without letters of other scripts, and whether it had any."""
    if text.isascii():
        return text, False
    kept = "".join(ch if is_latin(ch) else " " for ch in text)
    return kept, kept != text


def split_address(text: str) -> tuple[str, str | None]:
    """A name and the address written after it, cut at the first comma or semicolon whose
    remainder holds a number or an address word ('..., 88 Sukhumvit Rd')."""
    for i, ch in enumerate(text):
        if ch in ",;":
            rest = text[i + 1 :].strip()
            words = set(tokens(rest))
            if any(c.isdigit() for c in rest) or words & ADDRESS_WORDS:
                return text[:i], rest or None
    return text, None


@cache
def _country_names() -> frozenset[str]:
    from transship.reference import country_aliases

    return frozenset(
        alias.upper() for alias in country_aliases()["alias"].to_list() if alias.isalpha()
    )


def drop_country_qualifiers(text: str) -> str:
    """'Golden Metals Co Ltd (Thailand)' -> 'Golden Metals Co Ltd ': a bracketed country
    is a qualifier, not part of the name; other bracketed words stay."""

    def replace(match: re.Match[str]) -> str:
        inside = " ".join(tokens(match[1]))
        return (
            " "
            if inside.replace(" ", "").isalpha() and inside in _country_names()
            else (f" {match[1]} ")
        )

    return _BRACKETS.sub(replace, text)


def tokens(text: str) -> list[str]:
    """Words of upper-case text, punctuation removed, apostrophes closed up ('O'HARE' ->
    'OHARE'), runs of single letters joined ('S A DE C V' -> 'SA DE CV')."""
    words = _NOT_ALNUM.split(text.replace("'", "").replace("\u2019", ""))
    out: list[str] = []
    run = ""
    for word in (w for w in words if w):
        if len(word) == 1 and word.isalpha():
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        out.append(word)
    if run:
        out.append(run)
    return out


@cache
def legal_forms(country: str | None) -> tuple[tuple[tuple[str, ...], str], ...]:
    """(spelling as tokens, canonical form) for a country, longest spelling first."""
    tables = [GENERIC, BY_COUNTRY.get(country or "", {})]
    forms = {
        tuple(spelling.split()): canonical
        for table in tables
        for canonical, spellings in table.items()
        for spelling in spellings
    }
    return tuple(sorted(forms.items(), key=lambda item: -len(item[0])))


@cache
def _form_words(country: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The words that begin a legal form, and those that end one (a quick test before
    comparing a name's words with every form)."""
    forms = legal_forms(country)
    return frozenset(s[0] for s, _ in forms), frozenset(s[-1] for s, _ in forms)


def strip_legal_forms(
    words: list[str], country: str | None
) -> tuple[list[str], str | None, str | None]:
    """The core words, the legal form (canonical; the one nearest the core when there are
    several) and any address written after a legal form in the middle of the name."""
    forms = legal_forms(country)
    starts, ends = _form_words(country)
    address = None
    # A legal form followed by a number or address words ends the name.
    for i in range(1, len(words) - 1):
        if words[i] not in starts:
            continue
        for spelling, _ in forms:
            end = i + len(spelling)
            if end < len(words) and tuple(words[i:end]) == spelling:
                tail = words[end:]
                if any(any(c.isdigit() for c in w) for w in tail) or set(tail) & ADDRESS_WORDS:
                    address = " ".join(tail)
                    words = words[:end]
                    break
        if address is not None:
            break
    found: str | None = None
    stripped = True
    while stripped and words and words[-1] in ends:
        stripped = False
        for spelling, canonical in forms:
            if tuple(words[-len(spelling) :]) == spelling:
                words = words[: -len(spelling)]
                found, stripped = canonical, True
                break
    prefixes = PREFIXES.get(country or "", {})
    for canonical, written in prefixes.items():
        for text in written:
            head = text.split()
            if words[: len(head)] == head and len(words) > len(head):
                words = words[len(head) :]
                found = found or canonical
    while words and words[-1] in {"AND", "THE"}:
        words = words[:-1]
    return words, found, address


def normalise_name(raw: str | None, country: str | None = None) -> Name:
    """The matching key of a trader name written in a file, for a firm of ``country``
    (ISO alpha-2, or None when unknown: only the legal forms used everywhere are taken
    off)."""
    if raw is None or not raw.strip():
        return Name("", None, None, EMPTY)
    text, address = split_address(fold(raw))
    text, had_other_script = latin_only(drop_country_qualifiers(text).replace("&", " AND "))
    words, legal_form, inner_address = strip_legal_forms(tokens(text), country)
    core = " ".join(words)
    address = address or inner_address
    if not core:
        if had_other_script:
            return Name("", legal_form, address, NON_LATIN)
        if legal_form is not None:
            return Name("", legal_form, address, LEGAL_FORM_ONLY)
        return Name("", None, address, TOO_SHORT)
    if len(core.replace(" ", "")) < 2 or not any(c.isalpha() for c in core):
        return Name(core, legal_form, address, NON_LATIN if had_other_script else TOO_SHORT)
    return Name(core, legal_form, address, OK)
