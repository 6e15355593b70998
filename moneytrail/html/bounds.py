"""Bounds of the HTML report: how much of each analysis and finding the pages show (the exports
hold all). Read as ``bounds.NAME`` at call time so a test can lower them."""

TABLE_ROWS = 1000  # rows per analysis table, in the report's ranking
FINDING_PAGES = 25  # finding pages per analysis: the top of the report's ranking
EVIDENCE_ROWS = 100  # cited raw rows shown per finding page
LINK_ROWS = 100  # cross_links edges shown per finding page
KV_LIST_SHOW = 50  # list items shown in a finding's field list
CHARTS_PER_ANALYSIS_PAGE = 6  # per-finding charts repeated on the analysis page
