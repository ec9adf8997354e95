"""The inspector page in a real browser: headless Chromium against a running `dotdo dev` of the sample app."""

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Text against its background: WCAG AA asks 4.5:1 for body text. Walks up to the first opaque background.
CONTRAST_CHECK = """
() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = (color) => color.match(/[\\d.]+/g).map(Number);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color.length < 4 || color[3] > 0) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || element.closest(".visually-hidden")) continue;
    const fore = luminance(parse(getComputedStyle(element).color).slice(0, 3));
    const back = luminance(background(element));
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    const text = element.textContent.trim().slice(0, 30);
    if (ratio < 4.5) failures.push(`${element.tagName} "${text}" ${ratio.toFixed(2)}`);
  }
  return failures;
}
"""
UNLABELLED_FIELDS = """
() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
  .filter((field) => field.labels.length === 0 && !field.getAttribute("aria-label"))
  .map((field) => field.outerHTML)
"""


def check_accessibility(page):
    assert page.locator("h1").count() == 1, "one main heading"
    assert page.get_attribute("html", "lang") == "en"
    assert page.evaluate(UNLABELLED_FIELDS) == []
    assert page.evaluate(CONTRAST_CHECK) == []


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 412, "height": 915})  # a phone's screen
    opened = context.new_page()
    yield opened
    context.close()


def test_find_open_read_query_follow_and_replay(dev_server, page, tmp_path):
    shots = tmp_path / "screenshots"
    page.goto(f"{dev_server.url}/_dotdo/")
    check_accessibility(page)
    page.get_by_label("Name or id").fill("acm")
    page.get_by_role("button", name="Find").click()
    assert page.get_by_role("link", name="globex").count() == 0
    page.screenshot(path=shots / "objects.png", full_page=True)
    page.get_by_role("link", name="acme").click()
    assert page.get_by_role("heading", level=1).inner_text() == "acme"
    assert page.get_by_role("link", name="orders (3)").get_attribute("aria-current") == "page", "its own table first"
    rows = page.locator("#rows tbody tr")
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())] == ["anvil", "rocket", "magnet"]
    check_accessibility(page)
    aria = page.locator("main").aria_snapshot()
    assert 'heading "Tables" [level=2]' in aria and 'heading "Timeline" [level=2]' in aria

    page.get_by_label("Query").fill("SELECT item FROM orders WHERE id = 2")
    page.get_by_role("button", name="Run").click()
    assert page.locator("#query-result tbody").inner_text().strip() == "rocket"

    orders = page.locator("#timeline li").filter(has_text="POST /acme/order → 200")
    rendered = orders.count()
    assert rendered == 3, "the seeding requests, rendered by the server"
    for _ in range(50):  # until the page follows the stream: entries recorded before it connected come only on reload
        httpx.post(f"{dev_server.url}/acme/order", params={"item": "bell"}).raise_for_status()
        try:
            page.wait_for_function(
                f"() => [...document.querySelectorAll('#timeline li')]"
                f".filter((li) => li.textContent.includes('POST /acme/order')).length > {rendered}",
                timeout=200,
            )
            break
        except PlaywrightTimeoutError:
            continue
    assert orders.count() > rendered
    page.get_by_role("link", name="/catalog.md").click()
    assert "anvils" in page.locator("#preview").inner_text()
    assert page.get_by_role("img", name="2 things and 1 relationships").count() == 1
    check_accessibility(page)
    page.screenshot(path=shots / "object.png", full_page=True)

    httpx.post(f"{dev_server.url}/acme/fix").raise_for_status()
    page.get_by_role("button", name="Replay dead letter 1").click()
    assert page.get_by_role("status").inner_text() == "replayed dead letter 1"
    assert page.get_by_role("button", name="Replay dead letter 1").count() == 0
    assert httpx.get(f"{dev_server.url}/_dotdo/api/objects").status_code == 200
    page.screenshot(path=shots / "replayed.png", full_page=True)
    assert {p.name for p in shots.iterdir()} == {"objects.png", "object.png", "replayed.png"}
