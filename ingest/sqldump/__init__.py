"""Safe, streaming SQL dump ingest: mysqldump, pg_dump (COPY and --inserts), sqlite3 .dump and
plain INSERT scripts into ``raw.<table>`` of the DuckDB warehouse.

Nothing in a dump is executed. Statements are classified with sqlglot into loaded (CREATE
TABLE, INSERT ... VALUES of literals, COPY ... FROM stdin), skipped (cannot change the loaded
rows) and refused (anything else); see POLICY.md. Modules, one concern each:

- ``source``: the (gzip) byte stream, hashed and UTF-8 checked in one pass;
- ``scanner``: statement splitting over a bounded buffer;
- ``dialects``: dialect detection and lexical modes;
- ``classify``: statement kinds -> policy classes;
- ``literals``: reading VALUES rows and COPY fields as raw tokens;
- ``types``: CREATE TABLE -> DuckDB column types;
- ``convert``: tokens -> exact typed Arrow arrays;
- ``loader``: the transaction that ties them together;
- ``report``: summary text and manifest JSON.
"""

from ingest.sqldump.errors import DumpRejected, DumpWarning
from ingest.sqldump.loader import LoadProgress, load_dump, stderr_progress
from ingest.sqldump.report import format_summary, manifest_json, write_manifest_json

__all__ = [
    "DumpRejected",
    "DumpWarning",
    "LoadProgress",
    "format_summary",
    "load_dump",
    "manifest_json",
    "stderr_progress",
    "write_manifest_json",
]
