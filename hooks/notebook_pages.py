"""MkDocs hook: notebooks as real pages, with working heading anchors in Chinese.

1. mkdocs-static-i18n copies files that are not documentation pages verbatim, so a
   notebook ``labs/x.en.ipynb`` would be published as raw JSON at ``en/labs/x/``
   (ultrabug/mkdocs-static-i18n#198). Adding ``.ipynb`` to MkDocs' page extensions makes
   it a page; mkdocs-jupyter renders it.
2. mkdocs-jupyter makes heading ids with an ASCII-only slugify (Chinese headings get
   ``id=""``) and the table of contents with Markdown's default one (``#_1``) from an
   export that drops `code` in headings, so the TOC links of a lab point nowhere. Use
   the site's slugify (``pymdownx.slugs.slugify``, as ``toc.slugify`` in mkdocs.yml) for
   both, build the TOC from the notebook's cells, and keep nbconvert from
   percent-encoding the id a second time.

tests/test_site.py checks the built HTML (no raw JSON, every anchor resolves).
"""

import re
from urllib.parse import unquote

import markdown
import mkdocs.utils
import nbconvert.filters.strings
import mkdocs_jupyter.convert
import mkdocs_jupyter.plugin
import nbformat
from markdown.extensions.toc import TocExtension
from pymdownx.slugs import slugify

if ".ipynb" not in mkdocs.utils.markdown_extensions:
    mkdocs.utils.markdown_extensions = (*mkdocs.utils.markdown_extensions, ".ipynb")

_slugify = slugify(case="lower")
_HEADING_CODE = re.compile(r"^#{1,6} .*`.*$", re.M)


def _notebook_toc(path, toc_depth):
    """(TOC tokens, title) from the notebook's Markdown cells.

    mkdocs-jupyter builds the TOC from its own Markdown export, which drops `code` spans
    from headings, while the heading ids keep their text; read the cells instead.
    """
    cells = nbformat.read(path, as_version=4).cells
    source = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    source = _HEADING_CODE.sub(lambda m: m.group(0).replace("`", ""), source)
    md = markdown.Markdown(extensions=[TocExtension(toc_depth=toc_depth, slugify=_slugify)])
    md.convert(source)
    title = next((t["name"] for t in md.toc_tokens if t["level"] == 1), None)
    return md.toc_tokens, title


mkdocs_jupyter.convert.slugify = lambda value: _slugify(value, "-")
mkdocs_jupyter.plugin._get_nb_toc_tokens = _notebook_toc
_header_id = nbconvert.filters.strings._convert_header_id
nbconvert.filters.strings._convert_header_id = lambda value: unquote(_header_id(value))
