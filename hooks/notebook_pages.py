"""MkDocs hook: notebooks as real pages, with working heading anchors in Chinese.

1. mkdocs-static-i18n copies files that are not documentation pages verbatim, so a
   notebook ``labs/x.en.ipynb`` would be published as raw JSON at ``en/labs/x/``
   (ultrabug/mkdocs-static-i18n#198). Adding ``.ipynb`` to MkDocs' page extensions makes
   it a page; mkdocs-jupyter renders it.
2. mkdocs-jupyter makes heading ids with an ASCII-only slugify (Chinese headings get
   ``id=""``) and the table of contents with Markdown's default one (``#_1``), so the
   TOC links of a Chinese lab point nowhere. Use the site's slugify
   (``pymdownx.slugs.slugify``, as ``toc.slugify`` in mkdocs.yml) for both, and keep
   nbconvert from percent-encoding the id a second time.

tests/test_site.py checks the built HTML (no raw JSON, every anchor resolves).
"""

from urllib.parse import unquote

import markdown
import mkdocs.utils
import nbconvert.filters.strings
import mkdocs_jupyter.convert
import mkdocs_jupyter.plugin
from markdown.extensions.toc import TocExtension
from pymdownx.slugs import slugify

if ".ipynb" not in mkdocs.utils.markdown_extensions:
    mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")

_slugify = slugify(case="lower")


def _notebook_toc(markdown_source, toc_depth):
    md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth, slugify=_slugify)])
    md.convert(markdown_source)
    return md.toc_tokens


mkdocs_jupyter.convert.slugify = lambda value: _slugify(value, "-")
mkdocs_jupyter.plugin._get_markdown_toc = _notebook_toc
_header_id = nbconvert.filters.strings._convert_header_id
nbconvert.filters.strings._convert_header_id = lambda value: unquote(_header_id(value))
