"""The gaps matrix's markup, rendered once per matrix and language.

A region's matrix has some 500 cells, each a link with a translated label: 9 ms of a 25 ms
dashboard, for a table that changes only when an organisation's functions or places do. The
markup is a pure function of the matrix's figures and the language, so it is kept under exactly
those: an organisation naming a new function or district gives a new matrix, never a stale one.
"""

from markupsafe import Markup

from marketplace.core.fragments import cached_fragment, render_fragment
from marketplace.core.i18n import current_language
from marketplace.directory.gaps import GapMatrix


def gap_matrix_markup(matrix: GapMatrix) -> Markup:
    """Template global: the matrix as the dashboard and the gaps page show it."""
    language = current_language()
    return cached_fragment(
        "gap_matrix",
        # the key holds every input: no data version to follow
        lambda: ((language, matrix.fingerprint(language)), "matrix"),
        lambda: render_fragment("directory/_gap_matrix_body.html", matrix=matrix),
    )
