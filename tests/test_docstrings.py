"""Every docstring of dlnotes speaks one dialect: Google style, Markdown and `$...$` maths.

mkdocstrings renders docstrings as Markdown, so reStructuredText shows up literally on the
API page. Two walks, so that nothing is missed: every `.py` file under `dlnotes/` parsed
with `ast` (each bare string statement: module, class, function and attribute docstrings),
and every module imported, private ones too, with the docstrings its objects carry at run time.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from types import ModuleType

import pytest

from .conftest import PACKAGE

ROLE = re.compile(r":[a-z]+:`")  # :func:`f`, :math:`x`, :py:class:`C` ...
DOUBLE_BACKTICK = re.compile(r"(?<!`)``(?!`)[^`\n]+(?<!`)``(?!`)")  # ``x``; a ``` fence is no match
DIRECTIVE = re.compile(r"^\s*\.\. [\w:-]+::")  # .. note::, .. math::, .. code-block:: python
FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = [".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__") for p in FILES]


def rst_in(doc: str) -> list[str]:
    """The reStructuredText in one docstring, each piece quoted; fenced code blocks are skipped."""
    found, fenced = [], False
    for line in doc.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            found += [m.group(0) for m in ROLE.finditer(line)] + DOUBLE_BACKTICK.findall(line)
            if DIRECTIVE.match(line) or line.rstrip().endswith("::"):  # a directive or a `::` literal block
                found.append(line.strip())
    return found


def source_docstrings(source: str, module: str) -> Iterator[tuple[str, str]]:
    """`(where, text)` of every bare string statement in `source`, named by the object it documents."""
    def visit(node: ast.AST, where: str) -> Iterator[tuple[str, str]]:
        prev = None
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child, f"{where}.{child.name}")
            elif isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant) and isinstance(child.value.value, str):
                target = getattr(prev, "target", None) or (getattr(prev, "targets", None) or [None])[0]
                name = f"{where}.{target.id}" if isinstance(target, ast.Name) else where  # attribute docstring
                yield f"{name} (line {child.lineno})", child.value.value
            else:
                yield from visit(child, where)
            prev = child

    yield from visit(ast.parse(source), module)


def runtime_docstrings(module: ModuleType) -> Iterator[tuple[str, str | None]]:
    """`(qualified name, __doc__)` of the module and of the classes, methods and functions defined in it."""
    yield module.__name__, module.__doc__
    for obj in vars(module).values():
        if getattr(obj, "__module__", None) != module.__name__ or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # imported, or not documentable
        yield f"{module.__name__}.{obj.__qualname__}", obj.__doc__
        for member in vars(obj).values() if inspect.isclass(obj) else ():
            func = getattr(member, "__func__", getattr(member, "fget", member))  # static/class methods, properties
            if inspect.isfunction(func):
                yield f"{module.__name__}.{func.__qualname__}", func.__doc__


def report(docstrings: Iterator[tuple[str, str | None]]) -> list[str]:
    return [f"{where}: {found}" for where, doc in docstrings if doc and (found := rst_in(doc))]


def test_every_module_is_checked():
    import dlnotes

    walked = {"dlnotes"} | {m.name for m in pkgutil.walk_packages(dlnotes.__path__, "dlnotes.")}
    assert walked == set(MODULES)


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(PACKAGE.parent).as_posix() for p in FILES])
def test_source_docstrings_are_markdown(path):
    module = MODULES[FILES.index(path)]
    problems = report(source_docstrings(path.read_text(encoding="utf-8"), module))
    assert not problems, "reStructuredText in docstrings (write Markdown):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", MODULES)
def test_runtime_docstrings_are_markdown(name):
    problems = report(runtime_docstrings(importlib.import_module(name)))
    assert not problems, "reStructuredText in docstrings (write Markdown):\n" + "\n".join(problems)


BAD = textwrap.dedent('''\
    """Module: see :func:`f`.

    Example::

        f(1)
    """

    LIMIT = 3
    """Attribute with ``code``."""


    class Thing:
        """A class.

        .. note::
            Careful.
        """

        @staticmethod
        def f(x):
            r"""Square :math:`x^2`, like :py:func:`pow`."""

    GOOD = 1
    """Markdown: `code`, $x^2$, a fence:

    ```python
    y = x[::2]  # ``not RST`` inside code
    ```
    """
''')


def test_the_checker_catches_rst():
    problems = report(source_docstrings(BAD, "bad"))
    assert problems == [
        "bad (line 1): [':func:`', 'Example::']",
        "bad.LIMIT (line 9): ['``code``']",
        "bad.Thing (line 13): ['.. note::']",
        "bad.Thing.f (line 21): [':math:`', ':func:`']",
    ]
    namespace = {"__name__": "bad"}
    exec(compile(BAD, "bad.py", "exec"), namespace)
    module = ModuleType("bad", namespace["__doc__"])
    module.__dict__.update(namespace)
    assert report(runtime_docstrings(module)) == [problems[0].replace(" (line 1)", ""),
                                                  "bad.Thing: ['.. note::']", "bad.Thing.f: [':math:`', ':func:`']"]
