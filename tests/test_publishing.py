"""Publishing (.github/workflows/pages.yml): the workflow runs the README's commands and nothing
that downloads a browser or fonts, and the site URL comes from one place (DLNOTES_SITE_URL)."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
SITE_URL = "https://someone.github.io/dlnotes/"


def readme_commands() -> dict[str, str]:
    """The README's two commands: 'serve' (install and serve) and 'test' (the line after <!-- test-command -->)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    fences = re.findall(r"(?ms)^```console\n(.*?)\n```", text)
    test = re.search(r"(?ms)<!-- test-command -->\n```console\n(.*?)\n```", text).group(1)
    serve = next(f for f in fences if "mkdocs serve" in f)
    return {"serve": serve.strip(), "test": test.strip()}


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def runs(job: str) -> list[str]:
    return [s["run"].strip() for s in steps(job) if "run" in s]


def test_workflow_is_valid_and_triggered_by_main_and_pull_requests():
    wf = workflow()
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    assert set(wf["jobs"]) == {"build", "deploy"}
    uses = [s.get("uses", "") for job in wf["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)  # the pull-request preview
    assert wf["jobs"]["deploy"]["if"].count("pull_request") == 1 and wf["jobs"]["deploy"]["needs"] == "build"


def test_workflow_installs_and_tests_with_the_readmes_commands():
    cmds, run = readme_commands(), runs("build")
    install = cmds["serve"].split(" && mkdocs serve")[0]
    assert install in run, (install, run)
    assert cmds["test"] in run, (cmds["test"], run)
    assert any(r.startswith("apt-get") and "install" in r and "chromium" in r for r in run)
    order = [next(i for i, r in enumerate(run) if key in r) for key in (install, cmds["test"], "mkdocs build --strict")]
    assert order == sorted(order), run  # install, test, then build


def test_workflow_downloads_no_browser_and_no_fonts():
    text = WORKFLOW.read_text(encoding="utf-8")
    for bad in ("playwright install", "npx playwright", "curl ", "wget ", "fonts.googleapis", "setup-chrome", "browser-actions"):
        assert bad not in text, bad


def test_site_url_comes_from_one_place():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"(?m)^site_url: !ENV \[DLNOTES_SITE_URL, 'http://127\.0\.0\.1:8000/'\]", config)
    assert "DLNOTES_SITE_URL:" in WORKFLOW.read_text(encoding="utf-8")
    hits = [p for p in [*ROOT.glob("dlnotes/**/*.py"), *ROOT.glob("tests/*.py"), ROOT / "mkdocs.yml", ROOT / "README.md"]
            if "example.org" in p.read_text(encoding="utf-8") and p != ROOT / "tests" / "test_publishing.py"]
    assert hits == []


@pytest.fixture(scope="module")
def site_with_url(tmp_path_factory):
    """A strict build of the site as the workflow makes it, with a non-default DLNOTES_SITE_URL."""
    import os

    from .harness.site import build

    out = tmp_path_factory.mktemp("published")
    old = os.environ.get("DLNOTES_SITE_URL")
    os.environ["DLNOTES_SITE_URL"] = SITE_URL
    try:
        problems = build(ROOT, out)
    finally:
        if old is None:
            del os.environ["DLNOTES_SITE_URL"]
        else:
            os.environ["DLNOTES_SITE_URL"] = old
    assert not problems, problems
    return out


@pytest.mark.parametrize("path,url", [
    ("index.html", SITE_URL),
    ("optimizers/index.html", SITE_URL + "optimizers/"),
    ("labs/mnist-cnn/index.html", SITE_URL + "labs/mnist-cnn/"),
    ("en/index.html", SITE_URL + "en/"),
    ("en/optimizers/index.html", SITE_URL + "en/optimizers/"),
])
def test_build_uses_the_site_url_for_canonical_links(site_with_url, path, url):
    html = (site_with_url / path).read_text(encoding="utf-8")
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', html) == [url]
    head = html.split("</head>")[0]
    assert "127.0.0.1" not in head and "example.org" not in html


@pytest.mark.parametrize("path,links", [
    ("optimizers/index.html", {"zh": "./", "en": "../en/optimizers/"}),
    ("en/optimizers/index.html", {"zh": "../../optimizers/", "en": "./"}),
])
def test_language_links_point_at_the_same_page(site_with_url, path, links):
    html = (site_with_url / path).read_text(encoding="utf-8")
    found = dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="([a-z]+)"', html))
    assert found == links
    alternates = re.findall(r'<link rel="alternate" href="([^"]+)" hreflang="([a-z]+)"', html)
    assert all(href.startswith(SITE_URL) for href, _ in alternates), alternates


def test_sitemap_lists_pages_under_the_site_url(site_with_url):
    sitemap = (site_with_url / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs and all(loc.startswith(SITE_URL) for loc in locs)
    assert SITE_URL + "en/optimizers/" in locs
