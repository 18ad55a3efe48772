"""What every Konsol browser script shares: the command line, the checks and their tally, the
admin's API reads, a headless Chromium from Debian's packages, waits, screenshots, sign-in and the
same-origin check. Each script under tools/console-browser-*.py covers some pages; it does
`from console_browser import *`, drives the browser, and ends with `finish()`.

Every script takes: URL ADMIN_TOKEN DESA_TOKEN DESA OUTPUT_DIR
"""
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

FIRST_LOAD_BUDGET = 150 * 1024
RENDER_BUDGET_SECONDS = 2.0

url, admin, desa_token, desa, output = sys.argv[1:6]
console = f"{url}/console/"
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def api(path, token=admin):
    request = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    # Root in a container has no user namespace for Chromium's sandbox, and /dev/shm may be
    # small: without these two it exits at start ("Running as root without --no-sandbox").
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps"]:
        options.add_argument(argument)
    # The driver from apt, so Selenium Manager downloads nothing.
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def wait(driver, css, seconds=15):
    return WebDriverWait(driver, seconds).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)))


def shot(driver, name):
    driver.save_screenshot(f"{output}/{name}.png")


def sign_in(driver, token):
    field = wait(driver, "#token")
    field.clear()
    field.send_keys(token)
    driver.find_element(By.ID, "sign-in-button").click()
    wait(driver, "#cari-form")


def look_up(driver, kind, number):
    driver.find_element(By.CSS_SELECTOR, f"label:has(#cari-by-{kind})").click()
    field = driver.find_element(By.ID, "cari-number")
    field.clear()
    field.send_keys(number)
    driver.find_element(By.ID, "cari-search").click()
    return WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.ID, "household-card") or d.find_elements(By.ID, "cari-not-found")
        or d.find_elements(By.ID, "cari-invalid"))[0]


def check_card(card, household, how):
    text = card.text
    check(card.get_attribute("data-household-id") == str(household["id"]), f"{how}: the card is household {household['id']}")
    check(household["nomor_kk"] in text, f"{how}: the card shows the KK")
    check(household["kode_wilayah"] in text, f"{how}: the card shows the kode wilayah")
    status = card.find_element(By.ID, "card-status").text
    check(status == household["status"].replace("_", " ").replace(":", ": "), f"{how}: status {status!r}")
    desil = card.find_element(By.ID, "card-desil").text
    if household.get("desil") is not None:
        check(desil.startswith(str(household["desil"])), f"{how}: desil {desil!r}")
        if household.get("desil_versi"):
            check(household["desil_versi"] in desil, f"{how}: desil version in {desil!r}")
    for program in household.get("program") or []:
        check(program in text, f"{how}: program {program}")
    rows = card.find_elements(By.CSS_SELECTOR, "table tbody tr")
    members = household["anggota"]
    check(len(rows) >= len(members), f"{how}: {len(rows)} member rows for {len(members)} members")
    for member in members:
        check(member["nama"] in text, f"{how}: member {member['nama']}")
        if member.get("nik"):
            check(member["nik"] in text, f"{how}: a member's NIK")
    WebDriverWait(card, 15).until(lambda c: c.find_elements(By.XPATH, ".//h2[contains(., 'Usulan terbuka') or contains(., 'Open requests')]"))
    # The history is the household's change feed, newest first, as the API gives it.
    expected = api(f"/v1/changes?household={household['id']}&order=desc&limit=50")["changes"]
    rows = WebDriverWait(card, 15).until(lambda c: c.find_elements(By.CSS_SELECTOR, "#card-history tbody tr"))
    check(len(rows) == len(expected) > 0, f"{how}: {len(rows)} history rows for {len(expected)} change-feed entries")
    check(all(entry["time"] in row.text and entry["actor"] in row.text for entry, row in zip(expected, rows)),
          f"{how}: the history rows are the feed's entries, newest first")


def shown_wilayah(driver):
    """The code of the wilayah the Wilayah page shows ("" for the whole store, None before it loads);
    read in the page, since the view is redrawn under Selenium's element references."""
    return driver.execute_script("return document.getElementById('wilayah-summary')?.dataset.wilayah ?? null")


def same_origin(driver):
    names = driver.execute_script(
        "return performance.getEntries().map(e => e.name).filter(n => n.startsWith('http'))")
    outside = [name for name in names if not name.startswith(url + "/")]
    check(len(names) > 0 and not outside, f"no request leaves the origin ({len(names)} requests; outside: {outside})")


def finish():
    """Prints the tally and exits non-zero when a check failed."""
    print(f"{len(failures)} failed" if failures else "all passed", flush=True)
    sys.exit(1 if failures else 0)
