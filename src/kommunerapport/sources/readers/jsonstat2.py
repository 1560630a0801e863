"""JSON-stat 2.0: what PxWebApi v2 answers (and v0/v1 with ``format=json-stat2``)."""

from __future__ import annotations

from kommunerapport.errors import DataError
from kommunerapport.sources import jsonstat
from kommunerapport.sources.readers.base import Reading, ReadingMeta, Source

FORMAT = "JSON-stat2 (PxWebApi)"


def claims(src: Source) -> bool:
    doc = src.json
    return isinstance(doc, dict) and doc.get("class") == "dataset"


def read(src: Source) -> Reading:
    return read_document(src, src.json, FORMAT)


def read_document(src: Source, doc: object, name: str) -> Reading:
    from kommunerapport.model.schema import known_units
    from kommunerapport.sources.ssb.catalogue import tidy_rows

    try:
        ds = jsonstat.parse(doc)  # type: ignore[arg-type]
    except jsonstat.JsonStatError as exc:
        raise DataError.at(src.path, f"kan ikke leses som {name} fra SSB: {exc}.") from None
    if ds.is_metadata:
        raise DataError.at(src.path, "er metadata, ikke data (JSON-stat uten «value»); lagre "
                                   "svaret fra …/tables/{id}/data, ikke …/metadata.")
    geo = ds.role_of("geo") or ""
    level = "fylker" if "fylke" in geo.casefold() else "kommuner"
    try:
        tidy = tidy_rows(ds, known_units(), level=level,
                         updated=src.release.isoformat() if src.release else "")
    except jsonstat.JsonStatError as exc:
        raise DataError.at(src.path, f"{exc}.") from None
    meta: ReadingMeta = {"notes": tidy.notes, "table": ds.table_id, "updated": ds.updated,
                         "title": ds.label, "skipped_units": sorted(tidy.skipped)}
    return Reading(name, tidy.records, [None] * len(tidy.records), meta, tidy.left_out,
                   tidy.notes)
