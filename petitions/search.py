"""One search term for items and persons: item number, petitioner name, ID number (whole, or its tail with a name),
phone, or content words; always read through the user's reach, never by a plaintext match on ciphertext."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import DataContains
from django.db.models import Q, QuerySet, TextField, Value

from core.filters import all_words_q
from core.lookups import TRIGRAM
from core.pii import lookup_hash
from core.selectors import AnyUser
from petitions.models import Item, ItemPetitioner, Petitioner
from petitions.models.items import bigrams
from petitions.selectors import item_qs_visible_to

TERM_MAX = 100  # longer input is refused at the field (400), never sent to the database
TAIL_ROWS_MAX = 200  # rows a name narrows to before their ID numbers are decrypted to compare the tail
NAME_MAX = 20
CONTENT_INDEX_ROWS = (
    20_000  # items PostgreSQL may expect content words in and still read them from the word indexes
)

NUMBER = re.compile(r"^XF\d{4}-\d{6}$", re.IGNORECASE)
ID_NUMBER = re.compile(r"^\d{17}[\dX]$", re.IGNORECASE)
PHONE = re.compile(r"^1\d{10}$")
NAME_AND_TAIL = re.compile(r"^(?P<name>[^\s\d]{1,20})\s+(?P<tail>\d{3,5}[\dX])$", re.IGNORECASE)
NAME = re.compile(r"^[^\s\d]{1,20}$")

# The kinds of a term; the last four are personal data (audited, and kept out of addresses).
KIND_NUMBER = "number"
KIND_TEXT = "text"
KIND_ID_NUMBER = "id_number"
KIND_PHONE = "phone"
KIND_NAME_AND_TAIL = "name_and_id_tail"
KIND_NAME = "name"
PERSONAL_KINDS = frozenset({KIND_ID_NUMBER, KIND_PHONE, KIND_NAME_AND_TAIL, KIND_NAME})


def _compact(term: str) -> str:
    return re.sub(r"[\s-]", "", term)


def term_kinds(term: str) -> tuple[str, ...]:
    """How the term is matched, in order: a term can be matched several ways (the results are united)."""
    term = term.strip()
    if not term:
        return ()
    if NUMBER.match(term):
        return (KIND_NUMBER,)
    compact = _compact(term)
    if ID_NUMBER.match(compact):
        return (KIND_ID_NUMBER,)
    if PHONE.match(compact):
        return (KIND_PHONE,)
    if NAME_AND_TAIL.match(term):
        return (KIND_NAME_AND_TAIL,)
    if NAME.match(term):
        return (KIND_NAME, KIND_TEXT)
    return (KIND_TEXT,)


def is_personal(term: str) -> bool:
    """Whether the term is (or may be) a person's name, ID number or phone."""
    return bool(PERSONAL_KINDS.intersection(term_kinds(term)))


def looks_like_id_or_phone(term: str) -> bool:
    """A term that is certainly personal data: a whole ID number, a phone, or a name with an ID tail."""
    return bool({KIND_ID_NUMBER, KIND_PHONE, KIND_NAME_AND_TAIL}.intersection(term_kinds(term)))


def contains_q(field: str, word: str) -> Q:
    """`field` contains `word` in any case, asked the way an index answers: ILIKE (trigrams) from three characters,
    the bigram index (petitions_bigrams) for two; a single character is a scan."""
    if len(word) == TRIGRAM - 1:
        pieces = Value([word.upper()], output_field=ArrayField(TextField()))
        return Q(DataContains(bigrams(field), pieces))
    return Q(**{f"{field}__trgm_contains": word})


def content_q(term: str, *, most: int = 10) -> Q:
    """Every space-separated word of the term in the summary or the demand (as core.filters.all_words_q)."""
    words = Q()
    for word in term.split()[:most]:
        words &= contains_q("summary", word) | contains_q("demand", word)
    return words


def _rows_in_reach(user: AnyUser) -> QuerySet[ItemPetitioner]:
    return ItemPetitioner.objects.filter(item__in=item_qs_visible_to(user))


def _tail_rows(user: AnyUser, name: str, tail: str) -> list[ItemPetitioner]:
    """Rows in the user's reach whose name contains `name` and whose ID number ends with `tail`: only the (capped)
    rows the name narrowed to are decrypted, never a pattern match on ciphertext."""
    rows = _rows_in_reach(user).filter(contains_q("name", name)).exclude(id_number="").order_by("-item_id")
    tail = tail.upper()
    return [
        row
        for row in rows.only("pk", "item_id", "id_number")[:TAIL_ROWS_MAX]
        if row.id_number.upper().endswith(tail)
    ]


def _name_and_tail(term: str) -> tuple[str, str]:
    found = NAME_AND_TAIL.match(term)
    return (found["name"], found["tail"]) if found else ("", "")


def _matching_ids(user: AnyUser, items: QuerySet[Item], term: str, kind: str) -> QuerySet[Any]:
    """The ids of the items one way of matching the term finds, each read by its own index (the item number, the
    look-up hashes, the name's trigrams; content words among `items`)."""
    if kind == KIND_NUMBER:
        return Item.objects.filter(number=term.upper()).values("pk")
    if kind == KIND_ID_NUMBER:
        person_ids = Petitioner.objects.filter(id_number_hash=lookup_hash("id", term)).values("pk")
        return ItemPetitioner.objects.filter(petitioner_id__in=person_ids).values("item_id")
    if kind == KIND_PHONE:
        return ItemPetitioner.objects.filter(phone_hash=lookup_hash("phone", term)).values("item_id")
    if kind == KIND_NAME_AND_TAIL:
        return Item.objects.filter(
            pk__in=[row.item_id for row in _tail_rows(user, *_name_and_tail(term))]
        ).values("pk")
    if kind == KIND_NAME:
        return ItemPetitioner.objects.filter(contains_q("name", term)).values("item_id")
    return items.order_by().filter(content_q(term)).values("pk")


def _content_is_rare(term: str) -> bool:
    """Whether PostgreSQL expects the content words in few items (by its statistics, without running the query):
    those are found through the word indexes; a common word is tested along the items in reach instead, which is
    cheaper than collecting a large share of all items from an index."""
    plan = Item.objects.filter(content_q(term)).explain()
    estimate = re.search(r"rows=(\d+)", plan)
    return estimate is not None and int(estimate[1]) <= CONTENT_INDEX_ROWS


def items_matching(user: AnyUser, items: QuerySet[Item], term: str) -> QuerySet[Item]:
    """`items` (already read through the user's reach) that the term matches in any of its ways.

    A term read several ways (a word that may be a name or content) is the union of the ids each way finds, each
    through its index: one condition `name matches OR content matches` would make PostgreSQL test every item in
    reach. Content words common enough that the index would return many items are tested along the items.
    """
    term = term.strip()
    kinds = term_kinds(term)
    if not kinds:
        return items
    if KIND_TEXT in kinds and not _content_is_rare(term):
        found = all_words_q(term, ["summary", "demand"])
        for kind in kinds:
            if kind != KIND_TEXT:
                found |= Q(pk__in=_matching_ids(user, items, term, kind))
        return items.filter(found)
    if kinds == (KIND_TEXT,):
        return items.filter(content_q(term))
    ids = _matching_ids(user, items, term, kinds[0])
    for kind in kinds[1:]:
        ids = ids.union(_matching_ids(user, items, term, kind))
    return items.filter(pk__in=ids)


@dataclass(frozen=True)
class PersonsFound:
    """The persons a term finds (each with at least one item in reach) and how the term was read."""

    person_ids: tuple[int, ...]
    kinds: tuple[str, ...]


PERSONS_MAX = 20


def persons_matching(user: AnyUser, term: str) -> PersonsFound:
    """Persons on the user's visible items that the term matches, the most recently seen first (at most 20)."""
    kinds = term_kinds(term)
    if not kinds:
        return PersonsFound((), ())
    items = items_matching(user, item_qs_visible_to(user), term)
    rows = _rows_in_reach(user).filter(item__in=items)
    if kinds[0] in PERSONAL_KINDS:  # only the person the term names, not everyone on an item it finds
        named = _person_condition(user, term.strip(), kinds[0])
        if KIND_TEXT in kinds:  # a word may be a name or content: the persons on items of that content too
            named |= all_words_q(term, ["item__summary", "item__demand"])
        rows = rows.filter(named)
    ordered = rows.order_by("-item__received_on", "-item_id").values_list("petitioner_id", flat=True)
    seen: dict[int, None] = {}
    for person_id in ordered[: PERSONS_MAX * 10]:
        seen.setdefault(person_id, None)
        if len(seen) == PERSONS_MAX:
            break
    return PersonsFound(tuple(seen), kinds)


def _person_condition(user: AnyUser, term: str, kind: str) -> Q:
    """On an item of several persons, only the person the personal term names."""
    if kind == KIND_ID_NUMBER:
        return Q(petitioner__id_number_hash=lookup_hash("id", term))
    if kind == KIND_PHONE:
        return Q(phone_hash=lookup_hash("phone", term))
    if kind == KIND_NAME_AND_TAIL:
        return Q(pk__in=[row.pk for row in _tail_rows(user, *_name_and_tail(term))])
    return contains_q("name", term)
