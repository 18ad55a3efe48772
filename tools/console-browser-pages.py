#!/usr/bin/env python3
"""Konsol Lumbung's Snapshot, Audit, Pemadanan and Wilayah (PKH counts, export) pages in a real
browser: Debian's headless Chromium driven by Selenium against a live `lumbung serve --console`.
ConsolePagesBrowserTests starts the server on a store with two snapshots (2026-10, then some
households deleted by `konsol:prepare` and some added, 2026-11), makes the tokens and runs this.

usage: console-browser-pages.py URL ADMIN_TOKEN DESA_TOKEN DESA OUTPUT_DIR

Checks, as a person drives the pages (every number against the API, read with the same token):
the snapshot list with each verify status, and the diff chart per kecamatan; the audit feed, its
paging and its filters (action, actor, household, dates); a NIK list uploaded as text, CSV and
XLSX, the results against the store, and the downloaded CSV and XLSX rows; the Wilayah page's PKH
counts and its export downloaded as CSV and XLSX, rows checked; a desa token seeing only its desa
on each page; no request leaving the origin. A screenshot of each page goes to OUTPUT_DIR.
"""
import csv
import io
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
import zipfile
from datetime import date, timedelta

from selenium.webdriver.support.ui import Select

from console_browser import *  # noqa: F403 (the shared checks, browser and sign-in)

PREPARE_ACTOR = "konsol:prepare"
downloads = tempfile.mkdtemp(prefix="konsol-downloads-")


def go(driver, page, ready):
    """Opens a page from the navigation, as a person clicks it, and waits for `ready`."""
    driver.find_element(By.CSS_SELECTOR, f"#nav a[href='#{page}']").click()
    return wait(driver, ready)


def fill(driver, element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    if text:
        field.send_keys(text)


def labelled(driver, page):
    """Every input and select the page shows has a label."""
    unlabelled = driver.execute_script(
        "return [...document.querySelectorAll('main input, main select')].filter(e => e.labels.length === 0).map(e => e.id || e.name)")
    check(not unlabelled, f"{page}: every input is labelled (unlabelled: {unlabelled})")


def feed(token, **filters):
    """Every entry of /v1/changes the token sees, oldest first."""
    entries, since = [], 0
    while True:
        page = api(f"/v1/changes?since={since}&limit=1000", token)
        entries += page["changes"]
        if page["next_since"] == since:
            return entries
        since = page["next_since"]


def shot_at(driver, css, name):
    """A screenshot with `css` scrolled to the top of the window."""
    driver.execute_script("document.querySelector(arguments[0])?.scrollIntoView()", css)
    shot(driver, name)


# Downloads: the page saves a fetched blob through <a download>; Chromium puts it here.

def allow_downloads(driver):
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads, "eventsEnabled": True})


def download(driver, button_id, extension):
    """Clicks `button_id` and returns the path of the file it saved (the only one in the folder)."""
    for name in os.listdir(downloads):
        os.remove(os.path.join(downloads, name))
    driver.find_element(By.ID, button_id).click()
    done = WebDriverWait(driver, 60).until(lambda d: [n for n in os.listdir(downloads) if n.endswith(f".{extension}")])
    path = os.path.join(downloads, done[0])
    shutil.copy(path, os.path.join(output, f"download-{done[0]}"))
    return path


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def xlsx_rows(path):
    """The first sheet's rows as dicts by the header row (shared or inline strings, numbers)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in item.iter(f"{{{ns['m']}}}t")) for item in root.findall("m:si", ns)]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.iter(f"{{{ns['m']}}}row"):
        cells = {}
        for position, cell in enumerate(row.findall("m:c", ns), start=1):
            # A cell's reference ("C7") is optional: without it, cells follow one another.
            index = position
            if cell.get("r"):
                index = 0
                for letter in re.match(r"[A-Z]+", cell.get("r")).group(0):
                    index = index * 26 + ord(letter) - 64
            kind = cell.get("t")
            if kind == "s":
                value = shared[int(cell.find("m:v", ns).text)]
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{{{ns['m']}}}t"))
            else:
                value = cell.find("m:v", ns).text if cell.find("m:v", ns) is not None else ""
            cells[index - 1] = value
        table.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    header = table[0]
    return [dict(zip(header, row + [""] * (len(header) - len(row)))) for row in table[1:]]


def write_xlsx(path, rows):
    """A one-sheet workbook of `rows` (lists of strings) with shared strings: a NIK list as Excel saves one."""
    strings = sorted({cell for row in rows for cell in row})
    index = {text: i for i, text in enumerate(strings)}
    def column(i):
        return chr(65 + i)
    sheet_rows = "".join(
        f'<row r="{r + 1}">' + "".join(f'<c r="{column(c)}{r + 1}" t="s"><v>{index[cell]}</v></c>' for c, cell in enumerate(row)) + "</row>"
        for r, row in enumerate(rows))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml",
                      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                      '<Default Extension="xml" ContentType="application/xml"/>'
                      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                      '</Types>')
        book.writestr("_rels/.rels",
                      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                      '</Relationships>')
        book.writestr("xl/workbook.xml",
                      f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relations}">'
                      '<sheets><sheet name="NIK" sheetId="1" r:id="rId1"/></sheets></workbook>')
        book.writestr("xl/_rels/workbook.xml.rels",
                      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                      '</Relationships>')
        book.writestr("xl/worksheets/sheet1.xml",
                      f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet_rows}</sheetData></worksheet>')
        book.writestr("xl/sharedStrings.xml",
                      f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                      + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>")


# The pages, each checked for a token against what the API gives that token.

def check_snapshot_page(driver, token, who, shots):
    listed = api("/v1/snapshots", token)["snapshots"]
    go(driver, "snapshot", "#snapshot-list table")
    rows = driver.find_elements(By.CSS_SELECTOR, "#snapshot-list tbody tr")
    check(len(rows) == len(listed) >= 2, f"{who} Snapshot: {len(rows)} snapshots listed, the API {len(listed)}")
    for row, snapshot in zip(rows, listed):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        check(cells[0] == snapshot["period"] and cells[2] == str(snapshot["households"]) and cells[3] == str(snapshot["members"]),
              f"{who} Snapshot {snapshot['period']}: {cells[:4]} against {snapshot['households']} households, {snapshot['members']} members")
        status = row.find_element(By.CSS_SELECTOR, ".verify")
        check(snapshot.get("verify_status") in ("verified", "unverified", "corrupt") and snapshot["verify_status"] in status.get_attribute("class").split(),
              f"{who} Snapshot {snapshot['period']}: verify status {status.text!r} ({snapshot.get('verify_status')})")
    shot(driver, shots[0])

    # The two newest months are preselected; pick them as a person would, then compare.
    labelled(driver, f"{who} Snapshot")
    first, last = listed[-2]["period"], listed[-1]["period"]
    Select(driver.find_element(By.ID, "diff-from")).select_by_value(first)
    Select(driver.find_element(By.ID, "diff-to")).select_by_value(last)
    driver.find_element(By.ID, "diff-compare").click()
    total = wait(driver, "#diff-total")
    diff = api(f"/v1/snapshots/diff?from={first}&to={last}&by=kecamatan", token)
    check(total.get_attribute("data-added") == str(diff["added"]) and total.get_attribute("data-removed") == str(diff["removed"]),
          f"{who} diff {first}→{last}: {total.text!r} against added {diff['added']}, removed {diff['removed']}")
    expected = {r["wilayah"]: (r["added"], r["removed"]) for r in diff["regions"] if r["added"] or r["removed"]}
    drawn = {row.get_attribute("data-wilayah"): (int(row.get_attribute("data-added")), int(row.get_attribute("data-removed")))
             for row in driver.find_elements(By.CSS_SELECTOR, ".diff-row")}
    check(drawn == expected, f"{who} diff chart per kecamatan: {drawn} against {expected}")
    for row in driver.find_elements(By.CSS_SELECTOR, ".diff-row"):
        counts = [c.text for c in row.find_elements(By.CSS_SELECTOR, ".diff-count")]
        check(counts == [row.get_attribute("data-added"), row.get_attribute("data-removed")], f"{who} diff chart shows the numbers {counts}")
    shot_at(driver, "#snapshot-diff-form", shots[1])
    return diff


def audit_rows(driver):
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "audit-range"))
    return [int(row.get_attribute("data-sequence")) for row in driver.find_elements(By.CSS_SELECTOR, "#audit-result tbody tr")]


def apply_audit(driver, action="", actor="", household="", since="", start="", end=""):
    Select(driver.find_element(By.ID, "audit-action")).select_by_value(action)
    for element_id, text in [("audit-actor", actor), ("audit-household", household), ("audit-since", since)]:
        fill(driver, element_id, text)
    for element_id, day in [("audit-from", start), ("audit-to", end)]:
        # A date input takes its value as the browser's locale types it; set it as the picker would.
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, element_id), day)
    driver.execute_script("document.getElementById('audit-range')?.remove()")
    driver.find_element(By.ID, "audit-apply").click()
    return audit_rows(driver)


def check_audit_page(driver, token, who, shots):
    entries = feed(token)
    go(driver, "audit", "#audit-form")
    shown = audit_rows(driver)
    check(shown == [e["sequence"] for e in entries[:50]], f"{who} Audit: the first page is the feed's first 50 entries ({len(shown)} rows)")
    labelled(driver, f"{who} Audit")
    shot(driver, shots[0])
    if len(entries) > 50:
        driver.execute_script("document.getElementById('audit-range').remove()")
        driver.find_element(By.ID, "audit-more").click()
        more = audit_rows(driver)
        check(more == [e["sequence"] for e in entries[50:100]], f"{who} Audit: 'next' shows the next entries ({more[:3]}…)")

    deleted = [e for e in entries if e["action"] == "delete"]
    shown = apply_audit(driver, action="delete")
    check(shown == [e["sequence"] for e in deleted], f"{who} Audit by action delete: {shown} against {[e['sequence'] for e in deleted]}")
    by_actor = [e["sequence"] for e in entries if PREPARE_ACTOR in e["actor"]]
    shown = apply_audit(driver, actor=PREPARE_ACTOR.upper())
    check(shown == by_actor[:50], f"{who} Audit by actor {PREPARE_ACTOR}: {len(shown)} rows, the feed {len(by_actor)}")
    # Keyboard: Enter in a field applies the filter.
    fill(driver, "audit-actor", PREPARE_ACTOR)
    driver.execute_script("document.getElementById('audit-range')?.remove()")
    driver.find_element(By.ID, "audit-actor").send_keys(Keys.ENTER)
    shown = audit_rows(driver)
    check(shown == by_actor[:50], f"{who} Audit: Enter in the actor field applies the filter ({len(shown)} rows)")
    if deleted:
        household = deleted[0]["household_id"]
        shown = apply_audit(driver, household=str(household))
        expected = [e["sequence"] for e in entries if e["household_id"] == household]
        check(shown == expected, f"{who} Audit by household {household}: {shown} against {expected}")
    today = date.today()
    shown = apply_audit(driver, action="delete", start=(today - timedelta(days=1)).isoformat(), end=(today + timedelta(days=1)).isoformat())
    check(shown == [e["sequence"] for e in deleted], f"{who} Audit by action and a date range around today: {len(shown)} rows")
    shown = apply_audit(driver, start=(today - timedelta(days=30)).isoformat(), end=(today - timedelta(days=2)).isoformat())
    check(shown == [], f"{who} Audit by a date range before the store existed: {len(shown)} rows")
    shown = apply_audit(driver, action="delete", since=str(deleted[0]["sequence"]) if deleted else "0")
    check(shown == [e["sequence"] for e in deleted[1:]], f"{who} Audit after a sequence: {shown}")
    apply_audit(driver, action="delete")
    shot(driver, shots[1])
    return entries


def check_match_page(driver, token, who, lists, truth, shots):
    """Uploads each of `lists` ([(path, column)]) and checks the results against `truth` (NIK → hasil, household)."""
    go(driver, "pemadanan", "#match-form")
    labelled(driver, f"{who} Pemadanan")
    shot(driver, shots[0])
    # A CSV whose header has no such column: the server's refusal, naming it, on the page.
    csv_lists = [path for path, _ in lists if path.endswith(".csv")]
    if csv_lists:
        driver.find_element(By.ID, "match-file").send_keys(csv_lists[0])
        fill(driver, "match-column", "KOLOM_TIDAK_ADA")
        driver.find_element(By.ID, "match-submit").click()
        error = wait(driver, "#match-error")
        check("KOLOM_TIDAK_ADA" in error.text, f"{who} Pemadanan: a missing column is refused, named ({error.text!r})")
    for path, column in lists:
        driver.find_element(By.ID, "match-file").send_keys(path)
        fill(driver, "match-column", column)
        driver.execute_script("document.getElementById('match-results')?.remove()")
        driver.find_element(By.ID, "match-submit").click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "match-summary") or d.find_elements(By.ID, "match-error"))
        error = driver.find_elements(By.ID, "match-error")
        if error:
            check(False, f"{who} Pemadanan {os.path.basename(path)}: {error[0].text}")
            continue
        summary = driver.find_element(By.ID, "match-summary")
        counts = {h: sum(1 for hasil, _ in truth.values() if hasil == h) for h in ("found", "not_found", "invalid")}
        got = {"found": summary.get_attribute("data-found"), "not_found": summary.get_attribute("data-not-found"), "invalid": summary.get_attribute("data-invalid")}
        check(got == {k: str(v) for k, v in counts.items()}, f"{who} Pemadanan {os.path.basename(path)}: summary {got} against {counts}")
        rows = driver.find_elements(By.CSS_SELECTOR, "#match-results tbody tr")
        check(len(rows) == len(truth), f"{who} Pemadanan {os.path.basename(path)}: {len(rows)} result rows for {len(truth)} NIKs")
        for row in rows:
            cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
            hasil = row.find_element(By.CSS_SELECTOR, ".hasil").get_attribute("class").split()[-1]
            expected = truth.get(cells[1])
            if expected is None:  # an invalid NIK comes back masked
                expected = next((v for k, v in truth.items() if v[0] == "invalid"), (None, None))
            household = expected[1]
            check(hasil == expected[0] and (household is None or (cells[4] == str(household["id"]) and cells[5] == household["nomor_kk"])),
                  f"{who} Pemadanan row {cells[0]}: {hasil} {cells[4]} against {expected[0]} {household and household['id']}")
    shot_at(driver, "#match-results", shots[1])
    # The last list's results downloaded as CSV and XLSX: the same rows.
    for extension, read in [("csv", csv_rows), ("xlsx", xlsx_rows)]:
        path = download(driver, f"match-download-{extension}", extension)
        rows = read(path)
        found = {row["nik"]: row for row in rows}
        check(len(rows) == len(truth), f"{who} Pemadanan download .{extension}: {len(rows)} rows for {len(truth)} NIKs")
        for nik, (hasil, household) in truth.items():
            if hasil == "invalid":
                continue
            row = found.get(nik, {})
            check(row.get("hasil") == hasil and (household is None or row.get("id") == str(household["id"]) and row.get("nomor_kk") == household["nomor_kk"]),
                  f"{who} Pemadanan download .{extension}: {nik[:4]}… {row.get('hasil')} against {hasil}")


def check_match_unavailable(driver, path, shots):
    """On a server without POST /v1/match the page says so after an upload."""
    go(driver, "pemadanan", "#match-form")
    shot(driver, shots[0])
    driver.find_element(By.ID, "match-file").send_keys(path)
    driver.find_element(By.ID, "match-submit").click()
    error = wait(driver, "#match-error")
    check(error.text != "", f"Pemadanan without the route: {error.text!r}")
    shot(driver, shots[1])


def check_wilayah_page(driver, token, who, code, shots, within=None, export=True):
    """The PKH counts of wilayah `code` (None: the token's scope, `within`), and its export's rows against /v1/households."""
    go(driver, "wilayah", "#wilayah-summary")
    if code:
        for step in [code[:2], code[:5], code[:8], code]:
            if shown_wilayah(driver) == step:
                continue
            driver.find_element(By.XPATH, f"//table//tr[td[2][text()='{step}']]//button").click()
            WebDriverWait(driver, 15).until(lambda d, s=step: shown_wilayah(d) == s)
    WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wilayah-pkh:not([aria-busy]) tbody tr"))
    stats = api(f"/v1/stats?pkh=true{'&wilayah=' + code if code else ''}", token)
    expected = {k: v for k, v in stats["pkh_komponen"].items() if k != "tanggal"}
    drawn = {row.get_attribute("data-component"): [c.text for c in row.find_elements(By.TAG_NAME, "td")[1:]]
             for row in driver.find_elements(By.CSS_SELECTOR, "#wilayah-pkh tbody tr")}
    check(drawn == {k: [str(v["households"]), str(v["members"])] for k, v in expected.items()},
          f"{who} Wilayah {code or 'scope'}: PKH counts {drawn} against {expected}")
    labelled(driver, f"{who} Wilayah")
    shot_at(driver, "#wilayah-pkh", shots[0])

    households = []
    cursor = None
    while True:
        page = api(f"/v1/households?limit=1000{'&wilayah=' + code if code else ''}{'&cursor=' + cursor if cursor else ''}", token)
        households += page["households"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    ids = {str(h["id"]) for h in households}
    members = sum(len(h["anggota"]) for h in households)
    for extension, read in [("csv", csv_rows), ("xlsx", xlsx_rows)] if export else []:
        rows = read(download(driver, f"export-{extension}", extension))
        exported = {row.get("id") for row in rows}
        wilayah = {row.get("kode_wilayah") for row in rows}
        check(exported == ids and len(rows) == members,
              f"{who} Wilayah export .{extension}: {len(exported)} households in {len(rows)} rows, the API {len(ids)} in {members}")
        check(all(w.startswith(code or within or "") for w in wilayah), f"{who} Wilayah export .{extension}: every row in {code or within or 'the scope'} ({sorted(wilayah)[:3]})")
    return households


# The store: a household inside the desa token's desa, one outside, and one deleted before 2026-11.
everything = feed(admin)
deleted_ids = [e["household_id"] for e in everything if e["action"] == "delete"]
page = api("/v1/households?limit=1000")["households"]
inside = next(h for h in page if h["kode_wilayah"] == desa)
outside = next(h for h in page if h["kode_wilayah"] != desa and not h["kode_wilayah"].startswith(desa[:8]))
gone = api(f"/v1/snapshots/2026-10/households/{deleted_ids[0]}")
nik = lambda household: next(m["nik"] for m in household["anggota"] if m.get("nik"))
invalid = "1234567890"
admin_truth = {nik(inside): ("found", inside), nik(outside): ("found", outside), nik(gone): ("not_found", None), invalid: ("invalid", None)}
desa_truth = dict(admin_truth, **{nik(outside): ("not_found", None)})

# The NIK lists a person would upload: a text file, a CSV with the NIK in a named column, a workbook.
lists = os.path.join(output, "pemadanan-lists")
os.makedirs(lists, exist_ok=True)
text_list = os.path.join(lists, "nik.txt")
with open(text_list, "w") as file:
    file.write("\n".join(admin_truth) + "\n")
csv_list = os.path.join(lists, "penerima.csv")
with open(csv_list, "w", newline="") as file:
    writer = csv.writer(file)
    writer.writerow(["no", "nama", "NIK"])
    for number, value in enumerate(admin_truth, start=1):
        writer.writerow([number, f"Penerima {number}", value])
xlsx_list = os.path.join(lists, "penerima.xlsx")
write_xlsx(xlsx_list, [["no", "NIK"]] + [[str(number), value] for number, value in enumerate(admin_truth, start=1)])

def served(method, path, body=b"", kind="text/plain"):
    """Whether the server has a route (it is not 404): the match and export routes came in one step."""
    request = urllib.request.Request(f"{url}{path}", data=body if method == "POST" else None, method=method,
                                     headers={"Authorization": f"Bearer {admin}", "Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=30):
            return True
    except urllib.error.HTTPError as error:
        return error.code != 404


# The Pemadanan page and the Wilayah export need POST /v1/match and GET /v1/export; a server
# without them is told apart (404), and their checks are reported as skipped, not passed.
has_match = served("POST", "/v1/match", b"")
has_export = served("GET", f"/v1/export?wilayah={desa}&format=csv")
for name, present in [("POST /v1/match", has_match), ("GET /v1/export", has_export)]:
    if not present:
        print(f"SKIP {name} is not served: its checks are skipped", flush=True)

driver = browser()
try:
    allow_downloads(driver)
    driver.get(console)
    sign_in(driver, admin)

    check_snapshot_page(driver, admin, "admin", ["snapshot", "snapshot-diff"])
    # The diff read both snapshots, hashing their files: the list now says so.
    driver.refresh()
    statuses = {s["period"]: s.get("verify_status") for s in api("/v1/snapshots")["snapshots"]}
    check(set(statuses.values()) == {"verified"}, f"after a read the snapshots are verified: {statuses}")
    wait(driver, "#snapshot-list table")
    shown = {e.get_attribute("data-period"): e.get_attribute("class") for e in driver.find_elements(By.CSS_SELECTOR, "#snapshot-list .verify")}
    check(all("verified" in shown.get(period, "").split() for period in statuses), f"the page shows them verified: {shown}")

    check_audit_page(driver, admin, "admin", ["audit", "audit-filtered"])
    if has_match:
        check_match_page(driver, admin, "admin", [(text_list, ""), (csv_list, "NIK"), (xlsx_list, "NIK")], admin_truth, ["pemadanan", "pemadanan-results"])
    else:
        check_match_unavailable(driver, text_list, ["pemadanan", "pemadanan-results"])
    check_wilayah_page(driver, admin, "admin", desa[:8], ["wilayah-pkh"], export=has_export)

    # English labels on the new pages.
    driver.find_element(By.ID, "language").click()
    go(driver, "audit", "#audit-form")
    check(driver.find_element(By.ID, "audit-apply").text == "Apply", "the English switch relabels the Audit page")
    driver.find_element(By.ID, "language").click()

    # Phone width: the new pages do not scroll sideways.
    driver.set_window_size(390, 844)
    for page, ready in [("snapshot", "#snapshot-list table"), ("audit", "#audit-form"), ("pemadanan", "#match-form")]:
        go(driver, page, ready)
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 391, f"{page} at phone width: {width}px wide")
    shot(driver, "audit-phone")
    driver.set_window_size(1366, 768)
    same_origin(driver)

    # A desa operator: only its desa on every page.
    driver.find_element(By.ID, "sign-out").click()
    sign_in(driver, desa_token)
    diff = check_snapshot_page(driver, desa_token, "desa", ["snapshot-desa", "snapshot-diff-desa"])
    # At kecamatan level a desa token's one region is its desa (the API narrows it to the scope).
    changed = [r["wilayah"] for r in diff["regions"] if r["added"] or r["removed"]]
    check(changed == [desa] and diff["removed"] == 1, f"desa diff: its desa alone, one household removed ({changed}, {diff['removed']})")
    body = driver.find_element(By.TAG_NAME, "body").text
    check(outside["kode_wilayah"][:8] not in body or outside["kode_wilayah"][:8] == desa[:8], "desa Snapshot: no other kecamatan shows")

    entries = check_audit_page(driver, desa_token, "desa", ["audit-desa", "audit-filtered-desa"])
    check(all(any(code == desa for code in e["kode_wilayah"]) for e in entries), f"desa Audit: every entry of the feed is its desa's ({len(entries)})")
    apply_audit(driver)
    codes = {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#audit-result tbody td:nth-child(6)")}
    check(codes <= {desa}, f"desa Audit: the page shows its desa only ({sorted(codes)})")

    if has_match:
        check_match_page(driver, desa_token, "desa", [(text_list, "")], desa_truth, ["pemadanan-desa", "pemadanan-results-desa"])
        body = driver.find_element(By.TAG_NAME, "body").text
        check(outside["nomor_kk"] not in body, "desa Pemadanan: nothing of the other desa's household shows")
    else:
        check_match_unavailable(driver, text_list, ["pemadanan-desa", "pemadanan-results-desa"])

    households = check_wilayah_page(driver, desa_token, "desa", None, ["wilayah-pkh-desa"], within=desa, export=has_export)
    check(households and all(h["kode_wilayah"] == desa for h in households), "desa Wilayah: its households are its desa's")
    same_origin(driver)
finally:
    driver.quit()
    shutil.rmtree(downloads, ignore_errors=True)

finish()
