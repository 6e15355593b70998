"""The static HTML report (``output/<run>/html/``): overview, one page per analysis, one page
per top finding with its evidence rows, SVG charts; opens from the file system, no network.

Entry point: ``write_html`` (moneytrail/html/render.py), called by the report step.
"""

from moneytrail.html.render import HTML_DIR, write_html

__all__ = ["HTML_DIR", "write_html"]
