"""In Chromium, under the enforced Content-Security-Policy: every kind of page the console has, reached
by following its own links from the dashboard after a real sync of the sandbox, loads without one
policy violation, and its HTML holds no inline script, on* handler or style attribute the policy would
block. A page type added later is visited too, as soon as some page links to it."""

import html.parser
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from command_center.models import SyncRun
from command_center.sync import runs
from tests.browser import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Not pages: files (every *export* route), JSON, and what signs out. Every other route name reached by a link is visited once.
NOT_PAGES = {"logout", "healthz", "metrics", "api:schema"}
# The admin site: its index, one list and one form stand for it.
ADMIN_PAGES = [
    "/admin/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
    "/admin/connections/carrier/",
    "/admin/django_celery_beat/periodictask/",
]


class Blocked(html.parser.HTMLParser):
    """What a strict policy blocks in served HTML: inline scripts, on* attributes, style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if (
            tag == "script"
            and "src" not in names
            and names.get("type", "text/javascript") in ("text/javascript", "module")
        ):
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, _ in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"<{tag} style=…> at line {self.getpos()[0]}")


def blocked_in(text):
    parser = Blocked()
    parser.feed(text)
    return parser.found


@pytest.fixture
def mirrored(noyo_settings, transactional_db, django_user_model):
    """A full sync of the sandbox (so every kind of record has a page), and an admin to see every button."""
    started = runs.start_sync(runs.FULL, SyncRun.Trigger.COMMAND, enqueue=False)
    runs.execute(started.pk)
    return django_user_model.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)


@pytest.fixture
def violations(page):
    """Every securitypolicyviolation the page raises, and every console message about the policy."""
    seen = []
    page.add_init_script("""
        document.addEventListener("securitypolicyviolation", (e) => {
          console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI + " at " + e.sourceFile + ":" + e.lineNumber);
        });
    """)

    def heard(message):
        if "Content Security Policy" in message.text or "CSP violation" in message.text:
            seen.append(f"{page.url}: {message.text}")

    page.on("console", heard)
    page.on("pageerror", lambda error: seen.append(f"{page.url}: page error {error}"))
    return seen


def route_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def test_every_page_type_loads_under_the_policy_with_no_violation(live_server, page, mirrored, violations):
    sign_in(page, live_server, mirrored.username, PASSWORD)
    visited, inline, failed, styled = {}, {}, {}, {}
    # The dashboard, and what no link leads to: the header's search (a form) and the API's documents.
    queue = deque(["/", "/search/?q=a", "/api/docs/", "/api/redoc/", *ADMIN_PAGES])
    while queue:
        path = queue.popleft()
        name = route_name(urlsplit(path).path)
        key = path if path.startswith("/admin/") else name
        if name is None or name in NOT_PAGES or "export" in name or key in visited:
            continue
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        visited[key] = path
        if response.status != 200:
            failed[path] = response.status
            continue
        found = blocked_in(response.text())
        policy = response.headers.get("content-security-policy", "")
        assert (
            "script-src 'self';" in policy + ";"
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        ), path
        if "style-src 'self' 'unsafe-inline'" in policy:
            # The API's pages that allow inline style (their bundles and DRF's templates build it).
            styled[name] = path
            found = [what for what in found if "style" not in what]
        if found:
            inline[path] = found
        if path.startswith("/admin/") or name.startswith("api:"):
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            link = urlsplit(href)
            if not link.netloc and link.path.startswith("/") and not link.path.startswith("/admin/"):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))

    assert failed == {}
    assert inline == {}
    assert {name for name in styled if not name.startswith("api:")} == set()
    # Redoc asks for its logo at cdn.redoc.ly whatever its settings: the policy refusing it is the
    # policy working (tests/api/test_docs_browser.py). Nothing else may be refused.
    assert [v for v in violations if "cdn.redoc.ly" not in v] == []
    # Each kind of page the console has was reached (the list grows with the console).
    expected = {
        "dashboard",
        "attention_list",
        "attention_detail",
        "trends",
        "search",
        "sync_list",
        "sync_detail",
        "audit_list",
        "api_key_list",
        "alerts:subscription_list",
        "connections:connection_list",
        "connections:connection_detail",
        "connections:group_list",
        "connections:group_detail",
        "connections:carrier_list",
        "connections:carrier_detail",
        "connections:disconnection_list",
        "connections:disconnection_detail",
        "connections:renewal_list",
        "connections:renewal_detail",
        "connections:connection_retry",
        "members:employee_list",
        "members:employee_detail",
        "members:snapshot_list",
        "members:snapshot_detail",
        "members:memberrequest_list",
        "members:memberrequest_detail",
        "members:transaction_list",
        "members:difference_list",
        "api:docs",
        "api:redoc",
    }
    assert expected - set(visited) == set(), sorted(visited)
