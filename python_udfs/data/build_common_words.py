"""Rebuild common_name_words.csv (see README.md here). Needs wordfreq 3.1.1 and the path of
``dist.all.last`` from the ``names`` 0.3.0 sdist; neither is a project dependency:

    python -m python_udfs.data.build_common_words /path/to/names-0.3.0/names/dist.all.last
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).with_name("common_name_words.csv")
MIN_ZIPF, TOP_WORDS, TOP_SURNAMES = 3.0, 60000, 5000


def main(argv: list[str]) -> int:
    from wordfreq import top_n_list, zipf_frequency  # type: ignore[import-not-found,unused-ignore]

    words = {
        w.upper()
        for w in top_n_list("en", TOP_WORDS)
        if zipf_frequency(w, "en") >= MIN_ZIPF and w.isascii() and w.isalpha()
    }
    lines = Path(argv[0]).read_text(encoding="ascii").splitlines()
    surnames = [line.split()[0] for line in lines[:TOP_SURNAMES]]
    source = dict.fromkeys(sorted(words), "wordfreq")
    for s in surnames:
        source[s] = source[s] + "+census" if s in source else "census"
    OUT.write_text("word,source\n" + "".join(f"{w},{source[w]}\n" for w in sorted(source)), encoding="ascii")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
