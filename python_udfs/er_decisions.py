"""Reviewed link decisions and aliases: what people (and the data itself) know about names.

Two kinds of knowledge sit on top of the matcher:

* **Link decisions** (``seeds/er_link_decisions.csv`` and, optionally, a user CSV named by
  ``vars.er_link_decisions_file``): a person looked at two names and said ``same``,
  ``not_same`` or ``unsure``, with a note, who and when.
* **Aliases** (``seeds/er_aliases.csv``, optionally ``vars.er_aliases_file``, plus what the
  data says: the parent and doing-business-as names of a contract's vendor): ``name`` is ``relation_kind`` of
  ``alias_of`` -- ``former_name`` (renamed), ``successor`` (legal successor), ``dba`` (trades as),
  ``acronym``, ``abbreviation`` (same organisation), ``brand_family`` (units of one brand),
  ``subsidiary_of`` / ``parent_of`` (ownership).

Precedence on one (vendor, other) name pair, strongest first:

1. ``not_same`` decision: the pair is never linked, whatever the matcher or an alias says.
2. ``same`` decision: linked, ``match_type = reviewed``, tier ``high``, same organisation.
3. alias (curated file or data): linked, ``match_type = alias`` (curated), ``parent_name`` or
   ``dba_name`` (from the data: ``DATA_ALIAS_FIELDS``), with the alias's scope:
   ``same_organisation``, ``family`` or ``ownership``.
4. the matcher's own link (a ``unit`` link, python_udfs/matcher_units.py, has scope ``family``).
5. a unit of a linked brand (``er_units.UNIT_RULE``): when one name links to two vendors and one
   vendor's name is the other's plus words the first name does not have (``HOWARD
   UNIVERSITY`` links to ``HOWARD UNIVERSITY`` and to ``HOWARD UNIVERSITY HOSPITAL``), the
   link to the longer name is a unit of the brand, scope ``family``: counted once, under the
   brand the donor wrote, unless ``family`` is opted in. Only the matcher's own links are
   re-scoped; a ``same`` decision or a curated alias keeps its scope.

``unsure`` changes no link; it marks it as looked at (the review queue skips it).
Names are compared in normalised form (``names.normalize_org_name``); an alias reaches every
name with the same ``alias_key`` (the same words in any order, legal forms anywhere ignored).
Analyses use ``same_organisation`` links; ``family`` and ``ownership`` links are opt-in
(``vars.er_link_scopes``) and carry their scope on every edge.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from python_udfs.er_units import LEGAL_WORDS as _LEGAL_WORDS
from python_udfs.er_units import unit_link_note, units_as_family
from python_udfs.matcher import LINK_SCHEMA, TIERS
from python_udfs.names import aggressive_key, normalize_org_name

DECISIONS: tuple[str, ...] = ("same", "not_same", "unsure")

#: relation kind -> link scope
ALIAS_KINDS: dict[str, str] = {
    "former_name": "same_organisation",
    "successor": "same_organisation",
    "dba": "same_organisation",
    "acronym": "same_organisation",
    "abbreviation": "same_organisation",
    "brand_family": "family",
    "subsidiary_of": "ownership",
    "parent_of": "ownership",
}
LINK_SCOPES: tuple[str, ...] = ("same_organisation", "family", "ownership")

DECISION_COLUMNS: tuple[str, ...] = ("left_name", "right_name", "decision", "note", "reviewer", "decided_on")
DECISION_OPTIONAL: tuple[str, ...] = ("relation", "source")
ALIAS_COLUMNS: tuple[str, ...] = ("name", "alias_of", "relation_kind", "note", "source")
ALIAS_OPTIONAL: tuple[str, ...] = ("reviewer", "decided_on")
RELATIONS: tuple[str, ...] = ("vendor_employer", "vendor_business_donor")


class DecisionError(ValueError):
    """A decisions or aliases file is malformed."""


@dataclass(frozen=True)
class Decision:
    decision_id: str
    origin: str  # seed:<name> or file:<basename>, with the 1-based data row
    relation: str | None
    left_name: str
    right_name: str
    left_norm: str
    right_norm: str
    decision: str
    note: str
    reviewer: str
    decided_on: str
    source: str


@dataclass(frozen=True)
class Alias:
    alias_id: str
    origin: str
    name: str
    alias_of: str
    name_norm: str
    alias_of_norm: str
    relation_kind: str
    link_scope: str
    note: str
    source: str


def alias_key(norm: str) -> str:
    """What an alias is matched on: the name's distinct words, sorted, without legal forms
    anywhere (CORRECTIONS CORP OF AMERICA = CORRECTIONS CORPORATION OF AMERICA)."""
    words = sorted(set(norm.split(" ")) - _LEGAL_WORDS)
    return " ".join(words) if words else aggressive_key(norm) or norm


def _hid(prefix: str, *parts: str) -> str:
    return hashlib.sha256(":".join((prefix, *parts)).encode()).hexdigest()[:16]


def _cell(row: Mapping[str, Any], key: str) -> str:
    v = row.get(key)
    return "" if v is None else str(v).strip()


def _check_columns(columns: Sequence[str], required: Sequence[str], where: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise DecisionError(
            f"{where}: missing column(s) {', '.join(missing)}; a decisions file needs {', '.join(required)}"
        )


def _date(raw: str, where: str) -> str:
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise DecisionError(f"{where}: decided_on={raw!r} is not a date (YYYY-MM-DD)") from None


def parse_decisions(rows: Iterable[Mapping[str, Any]], origin: str, columns: Sequence[str]) -> list[Decision]:
    """Validated decisions. Rows with a blank ``decision`` are unreviewed queue rows and are
    skipped (``count_unreviewed`` counts them); anything else malformed is refused."""
    _check_columns(columns, DECISION_COLUMNS, origin)
    out = []
    for n, row in enumerate(rows, start=1):
        where = f"{origin} row {n}"
        decision = _cell(row, "decision")
        if not decision:
            continue
        if decision not in DECISIONS:
            raise DecisionError(f"{where}: decision={decision!r} (allowed: {', '.join(DECISIONS)})")
        relation = _cell(row, "relation") or None
        if relation is not None and relation not in RELATIONS:
            raise DecisionError(f"{where}: relation={relation!r} (allowed: blank for all, {', '.join(RELATIONS)})")
        left, right = _cell(row, "left_name"), _cell(row, "right_name")
        ln, rn = normalize_org_name(left), normalize_org_name(right)
        if ln is None or rn is None:
            side = "left_name" if ln is None else "right_name"
            raise DecisionError(f"{where}: {side}={row.get(side)!r} is blank after normalisation")
        reviewer = _cell(row, "reviewer")
        if not reviewer:
            raise DecisionError(f"{where}: reviewer is blank (say who decided)")
        decided_on = _date(_cell(row, "decided_on"), where)
        out.append(
            Decision(
                _hid("decision:v1", relation or "", ln, rn),
                f"{origin}:{n}",
                relation,
                left,
                right,
                ln,
                rn,
                decision,
                _cell(row, "note"),
                reviewer,
                decided_on,
                _cell(row, "source"),
            )
        )
    return _no_conflicts(out)


def _no_conflicts(decisions: list[Decision]) -> list[Decision]:
    """Refuse two different decisions on the same pair; drop exact repeats."""
    seen: dict[tuple[str, ...], Decision] = {}
    kept = []
    for d in decisions:
        low, high = sorted((d.left_norm, d.right_norm))
        key = (d.relation or "", low, high)
        prev = seen.get(key)
        if prev is None:
            seen[key] = d
            kept.append(d)
        elif prev.decision != d.decision:
            raise DecisionError(
                f"conflicting decisions on {d.left_norm!r} ~ {d.right_norm!r}: {prev.decision!r} ({prev.origin}) "
                f"and {d.decision!r} ({d.origin}); keep one"
            )
    return sort_decisions(kept)


def sort_decisions(decisions: Iterable[Decision]) -> list[Decision]:
    """Decisions in the order they are applied: by left name, right name, relation (the ones
    for every relation first, so a decision limited to one relation is applied after them and
    its note is the one kept), origin."""
    return sorted(decisions, key=lambda d: (d.left_norm, d.right_norm, d.relation or "", d.origin))


def combine_decisions(*parts: Sequence[Decision]) -> list[Decision]:
    """Decisions of several files together; conflicting decisions across files are refused."""
    return _no_conflicts([d for p in parts for d in p])


def parse_aliases(rows: Iterable[Mapping[str, Any]], origin: str, columns: Sequence[str]) -> list[Alias]:
    _check_columns(columns, ALIAS_COLUMNS, origin)
    out = []
    for n, row in enumerate(rows, start=1):
        where = f"{origin} row {n}"
        kind = _cell(row, "relation_kind")
        if kind not in ALIAS_KINDS:
            raise DecisionError(f"{where}: relation_kind={kind!r} (allowed: {', '.join(ALIAS_KINDS)})")
        name, alias_of = _cell(row, "name"), _cell(row, "alias_of")
        nn, an = normalize_org_name(name), normalize_org_name(alias_of)
        if nn is None or an is None:
            side = "name" if nn is None else "alias_of"
            raise DecisionError(f"{where}: {side}={row.get(side)!r} is blank after normalisation")
        if not _cell(row, "source"):
            raise DecisionError(f"{where}: source is blank (cite where the relation is documented)")
        out.append(
            Alias(
                _hid("alias-rel:v1", kind, nn, an),
                f"{origin}:{n}",
                name,
                alias_of,
                nn,
                an,
                kind,
                ALIAS_KINDS[kind],
                _cell(row, "note"),
                _cell(row, "source"),
            )
        )
    return sort_aliases(out)


def sort_aliases(aliases: Iterable[Alias]) -> list[Alias]:
    """Aliases in the order they are applied (an earlier alias of a pair wins): by name, alias
    of, relation kind, origin."""
    return sorted(aliases, key=lambda a: (a.name_norm, a.alias_of_norm, a.relation_kind, a.origin))


#: Aliases the contract data states itself: role field -> (relation kind, match type, note).
#: Each keeps its own relation kind, scope (``ALIAS_KINDS``) and match type; all link at tier
#: ``medium`` (stated by the source, not reviewed by a person).
DATA_ALIAS_FIELDS: dict[str, tuple[str, str, str]] = {
    "parent_vendor_name": ("subsidiary_of", "parent_name", "parent name recorded on the vendor's contract rows"),
    "dba_name": ("dba", "dba_name", "doing-business-as name recorded on the vendor's contract rows"),
}


def data_aliases(field: str, pairs: Iterable[tuple[str | None, str | None]]) -> list[Alias]:
    """Aliases from a field of the contract data: (vendor name, name in ``field``), normalised."""
    kind, _, note = DATA_ALIAS_FIELDS[field]
    out = {}
    for vendor, other in pairs:
        if not vendor or not other or alias_key(vendor) == alias_key(other):
            continue
        a = Alias(
            _hid("alias-rel:v1", kind, vendor, other),
            f"data:contracts.{field}",
            vendor,
            other,
            vendor,
            other,
            kind,
            ALIAS_KINDS[kind],
            note,
            f"contracts data: {field}",
        )
        out[a.alias_id] = a
    return sorted(out.values(), key=lambda a: (a.name_norm, a.alias_of_norm))


def parent_aliases(pairs: Iterable[tuple[str | None, str | None]]) -> list[Alias]:
    """Ownership aliases from the contract data: (vendor name, parent name), normalised."""
    return data_aliases("parent_vendor_name", pairs)


def _alias_match_type(a: Alias) -> str:
    """``alias`` for a curated alias, the field's own match type for one the data states."""
    if not a.origin.startswith("data:contracts."):
        return "alias"
    return DATA_ALIAS_FIELDS[a.origin.removeprefix("data:contracts.")][1]


DECISION_SCHEMA = pa.schema(
    [
        ("decision_id", pa.string()),
        ("origin", pa.string()),
        ("relation", pa.string()),
        ("left_name", pa.string()),
        ("right_name", pa.string()),
        ("left_name_norm", pa.string()),
        ("right_name_norm", pa.string()),
        ("decision", pa.string()),
        ("note", pa.string()),
        ("reviewer", pa.string()),
        ("decided_on", pa.string()),
        ("source", pa.string()),
    ]
)
ALIAS_SCHEMA = pa.schema(
    [
        ("alias_id", pa.string()),
        ("origin", pa.string()),
        ("name", pa.string()),
        ("alias_of", pa.string()),
        ("name_norm", pa.string()),
        ("alias_of_norm", pa.string()),
        ("relation_kind", pa.string()),
        ("link_scope", pa.string()),
        ("note", pa.string()),
        ("source", pa.string()),
    ]
)


def decisions_to_arrow(ds: Sequence[Decision]) -> pa.Table:
    cols = [f.name for f in DECISION_SCHEMA]
    attrs = [
        "decision_id",
        "origin",
        "relation",
        "left_name",
        "right_name",
        "left_norm",
        "right_norm",
        "decision",
        "note",
        "reviewer",
        "decided_on",
        "source",
    ]
    return pa.table({c: [getattr(d, a) for d in ds] for c, a in zip(cols, attrs, strict=True)}, schema=DECISION_SCHEMA)


def decisions_from_arrow(t: pa.Table) -> list[Decision]:
    return [
        Decision(
            r["decision_id"],
            r["origin"],
            r["relation"],
            r["left_name"],
            r["right_name"],
            r["left_name_norm"],
            r["right_name_norm"],
            r["decision"],
            r["note"],
            r["reviewer"],
            r["decided_on"],
            r["source"],
        )
        for r in t.to_pylist()
    ]


def aliases_to_arrow(al: Sequence[Alias]) -> pa.Table:
    return pa.table({f.name: [getattr(a, f.name) for a in al] for f in ALIAS_SCHEMA}, schema=ALIAS_SCHEMA)


def aliases_from_arrow(t: pa.Table) -> list[Alias]:
    return [Alias(**r) for r in t.to_pylist()]


# ----------------------------------------------------------------------------- applying


def apply_knowledge(
    links: pa.Table,
    relation: str,
    left_names: Sequence[str],
    right_names: Sequence[str],
    decisions: Sequence[Decision],
    aliases: Sequence[Alias],
) -> pa.Table:
    """The matcher's links of one relation with decisions and aliases applied.

    Adds the columns ``link_scope``, ``matcher_tier`` (the tier the matcher gave, null when
    it gave none), ``review_decision`` (same / not_same / unsure / null), ``decision_id``,
    ``alias_id`` and ``knowledge_note``. A pair a ``not_same`` decision covers stays in the
    table with ``review_decision = 'not_same'`` so the effect can be counted; every
    consumer drops those rows (int_name_links). Output is sorted like the matcher's, and does
    not depend on the order of ``decisions`` and ``aliases`` (sort_decisions, sort_aliases:
    where two apply to one pair, the later one's note is kept)."""
    lkeys, rkeys = _by_alias_key(left_names), _by_alias_key(right_names)
    lset, rset = set(left_names), set(right_names)
    decisions = sort_decisions(d for d in decisions if d.relation is None or d.relation == relation)
    aliases = sort_aliases(aliases)
    # only the pairs some decision or alias touches go through Python; the rest stays Arrow
    touched = _touched_pairs(decisions, aliases, lkeys, rkeys, lset, rset)
    key = pc.binary_join_element_wise(links.column("left_name"), links.column("right_name"), "\x1f")
    mask = pc.is_in(key, value_set=pa.array(sorted(f"{lt}\x1f{rt}" for lt, rt in touched), pa.string()))
    rest = links.filter(pc.invert(mask))
    rows = {(r["left_name"], r["right_name"]): dict(r) for r in links.filter(mask).to_pylist()}
    for row in rows.values():
        unit = row["match_type"] == "unit"
        row.update(
            link_scope="family" if unit else "same_organisation",
            matcher_tier=row["tier"],
            review_decision=None,
            decision_id=None,
            alias_id=None,
            knowledge_note=unit_link_note(row["left_name"], row["right_name"]) if unit else None,
        )
    _apply_aliases(rows, aliases, lkeys, rkeys)  # 3. aliases
    _apply_decisions(rows, decisions, relation, lset, rset)  # 1-2. decisions
    for row in rows.values():
        row["tier_rank"] = TIERS.index(row["tier"])
        row["relation"] = relation
    touched_rows = pa.Table.from_pylist(list(rows.values()), schema=KNOWLEDGE_LINK_SCHEMA)
    return units_as_family(pa.concat_tables([_untouched(rest, relation), touched_rows])).sort_by(
        [
            ("right_name", "ascending"),
            ("tier_rank", "ascending"),
            ("score", "descending"),
            ("token_sort_score", "descending"),
            ("left_name", "ascending"),
        ]
    )


def _untouched(rest: pa.Table, relation: str) -> pa.Table:
    """The matcher's links no decision or alias touches, with the knowledge columns blank
    (a ``unit`` link: scope ``family`` and the unit note)."""
    n = rest.num_rows
    null = pa.nulls(n, pa.string())
    unit = pc.equal(rest.column("match_type"), "unit")
    # only the few unit rows go through Python; every other row's note stays null
    units = rest.filter(unit)
    notes = np.full(n, None, dtype=object)
    notes[np.flatnonzero(unit.to_numpy(zero_copy_only=False))] = [
        unit_link_note(a, b)
        for a, b in zip(units.column("left_name").to_pylist(), units.column("right_name").to_pylist(), strict=True)
    ]
    return (
        rest.append_column("link_scope", pc.if_else(unit, "family", "same_organisation"))
        .append_column("matcher_tier", rest.column("tier"))
        .append_column("review_decision", null)
        .append_column("decision_id", null)
        .append_column("alias_id", null)
        .append_column("knowledge_note", pa.array(notes, pa.string()))
        .append_column("relation", pa.array([relation] * n, pa.string()))
    ).cast(KNOWLEDGE_LINK_SCHEMA)


def _touched_pairs(
    decisions: Sequence[Decision],
    aliases: Sequence[Alias],
    lkeys: dict[str, list[str]],
    rkeys: dict[str, list[str]],
    lset: set[str],
    rset: set[str],
) -> set[tuple[str, str]]:
    """The (left, right) name pairs some alias or decision covers, in both directions."""
    touched: set[tuple[str, str]] = set()
    for a in aliases:
        for x, y in ((a.name_norm, a.alias_of_norm), (a.alias_of_norm, a.name_norm)):
            touched.update((lt, rt) for lt in lkeys.get(alias_key(x), ()) for rt in rkeys.get(alias_key(y), ()))
    for d in decisions:
        for lt, rt in ((d.left_norm, d.right_norm), (d.right_norm, d.left_norm)):
            if lt in lset and rt in rset:
                touched.add((lt, rt))
    return touched


def _by_alias_key(names: Sequence[str]) -> dict[str, list[str]]:
    """The non-empty names under their aggressive alias key, in the given order."""
    keys: dict[str, list[str]] = {}
    for n in names:
        if n:
            keys.setdefault(alias_key(n), []).append(n)
    return keys


def _blank(left: str, right: str) -> dict[str, Any]:
    """A link row for a pair the matcher did not link (an alias or a 'same' decision adds it)."""
    return {
        "left_name": left,
        "right_name": right,
        "score": 0.0,
        "token_sort_score": 0.0,
        "coverage_left": 0.0,
        "coverage_right": 0.0,
        "overlap": 0.0,
        "shared_tokens": "",
        "max_idf": 0.0,
        "mean_idf": 0.0,
        "number_mismatch": False,
        "type_conflict": False,
        "matcher_tier": None,
        "review_decision": None,
        "decision_id": None,
        "alias_id": None,
    }


def _apply_aliases(
    rows: dict[tuple[str, str], dict[str, Any]],
    aliases: Sequence[Alias],
    lkeys: dict[str, list[str]],
    rkeys: dict[str, list[str]],
) -> None:
    """Aliases: every spelling with the alias's aggressive key, both directions."""
    r: dict[str, Any] | None
    for a in aliases:
        for x, y in ((a.name_norm, a.alias_of_norm), (a.alias_of_norm, a.name_norm)):
            for left in sorted(lkeys.get(alias_key(x), ())):
                for right in sorted(rkeys.get(alias_key(y), ())):
                    r = rows.get((left, right))
                    data = a.origin.startswith("data:")
                    if r is not None and r["alias_id"] is None and r["matcher_tier"] is not None:
                        # the matcher already links them; a same-organisation alias raises the tier
                        # (to high when curated, to medium when the data states it)
                        target = "medium" if data else "high"
                        if a.link_scope == "same_organisation" and TIERS.index(r["tier"]) > TIERS.index(target):
                            r.update(
                                tier=target,
                                match_type=_alias_match_type(a),
                                alias_id=a.alias_id,
                                link_scope="same_organisation",
                            )
                            r["knowledge_note"] = f"{a.relation_kind}: {a.note} [{a.source}]"
                        continue
                    if r is not None:
                        continue  # an earlier alias wins (aliases are sorted)
                    r = _blank(left, right)
                    r.update(
                        tier="medium" if data else "high",
                        match_type=_alias_match_type(a),
                        link_scope=a.link_scope,
                        alias_id=a.alias_id,
                        knowledge_note=f"{a.relation_kind}: {a.note} [{a.source}]",
                    )
                    rows[(left, right)] = r


def _apply_decisions(
    rows: dict[tuple[str, str], dict[str, Any]],
    decisions: Sequence[Decision],
    relation: str,
    lset: set[str],
    rset: set[str],
) -> None:
    """Decisions, after the aliases: a 'same' links the pair (high, reviewed), any decision is noted."""
    for d in decisions:
        if d.relation is not None and d.relation != relation:
            continue
        for left, right in ((d.left_norm, d.right_norm), (d.right_norm, d.left_norm)):
            if left not in lset or right not in rset:
                continue
            r = rows.get((left, right))
            if r is None:
                if d.decision != "same":
                    continue
                r = _blank(left, right)
                rows[(left, right)] = r
            note = f"{d.decision} by {d.reviewer} on {d.decided_on}: {d.note}" + (f" [{d.source}]" if d.source else "")
            if d.decision != "same" and r["match_type"] == "unit" and r["knowledge_note"]:
                note = f"{r['knowledge_note']}; {note}"  # an unsure or not_same unit link keeps its unit note
            r.update(review_decision=d.decision, decision_id=d.decision_id, knowledge_note=note)
            if d.decision == "same":
                r.update(tier="high", match_type="reviewed", link_scope="same_organisation")


def _schema() -> pa.Schema:
    extra = [
        ("link_scope", pa.string()),
        ("matcher_tier", pa.string()),
        ("review_decision", pa.string()),
        ("decision_id", pa.string()),
        ("alias_id", pa.string()),
        ("knowledge_note", pa.string()),
        ("relation", pa.string()),
    ]
    return pa.schema(list(LINK_SCHEMA) + [pa.field(n, t) for n, t in extra])


KNOWLEDGE_LINK_SCHEMA = _schema()
