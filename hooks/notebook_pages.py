"""MkDocs hook: make MkDocs treat ``*.ipynb`` as documentation pages.

mkdocs-static-i18n copies files that are not documentation pages verbatim, so without
this a notebook ``labs/x.en.ipynb`` is published as raw JSON at ``en/labs/x/``
(ultrabug/mkdocs-static-i18n#198). mkdocs-jupyter renders the pages; this hook only
widens MkDocs' notion of a page. tests/test_site.py checks the built HTML.
"""

import mkdocs.utils

if ".ipynb" not in mkdocs.utils.markdown_extensions:
    mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")
