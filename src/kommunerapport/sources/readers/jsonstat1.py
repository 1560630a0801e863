"""JSON-stat 1.x: what SSB's older API (``data.ssb.no/api/v0``, ``format=json-stat``) answers.

The bundle ``{"dataset": {…}}`` is lifted into 2.0 form (``jsonstat.from_v1``) and
read like JSON-stat2, so both give the same rows for the same cells.
"""

from __future__ import annotations

from kommunerapport.errors import DataError
from kommunerapport.sources import jsonstat
from kommunerapport.sources.readers import jsonstat2
from kommunerapport.sources.readers.base import Reading, Source

FORMAT = "JSON-stat 1.x (SSBs eldre API, v0)"


def claims(src: Source) -> bool:
    return jsonstat.is_v1(src.json)


def read(src: Source) -> Reading:
    try:
        doc = jsonstat.from_v1(src.json)  # type: ignore[arg-type]
    except (jsonstat.JsonStatError, KeyError, TypeError, StopIteration) as exc:
        raise DataError.at(src.path, f"kan ikke leses som JSON-stat 1.x: {exc}.") from None
    return jsonstat2.read_document(src, doc, FORMAT)
