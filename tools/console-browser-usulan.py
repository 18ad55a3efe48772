#!/usr/bin/env python3
"""Konsol Lumbung's Usulan page in a real browser (headless Chromium, Selenium) against a live
`lumbung serve --console`. ConsoleUsulanBrowserTests starts the server, makes the tokens (admin,
a desa operator, and a verifikator and a kepala OPD of the desa's kabupaten in CONSOLE_TOKENS)
and runs this; it exits non-zero with the failed checks.

usage: console-browser-usulan.py URL ADMIN_TOKEN DESA_TOKEN DESA OUTPUT_DIR

Checks, driven as a person would (typing, clicking, choosing files): a desa operator's new
household proposal refused field by field (the API's errors shown next to the field they name),
then submitted with a house photo and a KTP; a verifikator finds it in its queue, sees the
images, verifies it; a kepala OPD approves and applies it; the Cari page's card shows the new
household `ditetapkan`. A keluar draft submitted from its view; a re-proposal (usul ulang) with
its photos. A rejection with a note (refused without one), a whole desa's batch verify and
approve, the desa token seeing only its desa's requests, the cut-off date on view,
English, the phone width, and no request leaving the origin. A screenshot of each state goes to
OUTPUT_DIR.
"""
import os
import struct
import tempfile
import urllib.error
import zlib

from console_browser import *  # noqa: F403 (the shared checks, browser and sign-in)

tokens = dict(item.split("=", 1) for item in os.environ.get("CONSOLE_TOKENS", "").split(",") if item)
verifikator, kepala = tokens["verifikator"], tokens["kepala_opd"]


def send(path, body, token):
    """POSTs JSON with `token`; returns (status, answer)."""
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def png(path, width, height, colour):
    """A real PNG whose pixel (x, y) is `colour(x, y)`, written by hand (zlib and CRC from the
    standard library)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"".join(bytes(colour(x, y)) for x in range(width)) for y in range(height))
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                   + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def free(kind, prefix, serial):
    """A 16-digit number `prefix` + 4 digits from `serial` that no household holds."""
    for number in range(serial, serial + 200):
        candidate = f"{prefix}{number:04d}"
        path = f"/v1/persons/{candidate}" if kind == "nik" else f"/v1/households?kk={candidate}"
        try:
            found = api(path)
            if kind == "kk" and not found["households"]:
                return candidate
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return candidate
    raise SystemExit(f"no free {kind} after {prefix}")


def upload(path, token):
    """POSTs a PNG to /v1/evidence; returns its digest."""
    with open(path, "rb") as file:
        request = urllib.request.Request(f"{url}/v1/evidence", data=file.read(), method="POST",
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "image/png"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["digest"]


def propose_new(serial):
    """A new household proposal of the desa with its photos, submitted through the API; its id."""
    bukti = [{"sha256": upload(house_photo, desa_token), "media_type": "image/png", "jenis": "foto_rumah"},
             {"sha256": upload(ktp_photo, desa_token), "media_type": "image/png", "jenis": "ktp"}]
    head = {"nik": free("nik", f"{region}170580", serial), "nama": f"Kepala {serial}", "jenis_kelamin": "L",
            "tanggal_lahir": "1980-05-17", "hubungan": "kepala_keluarga"}
    household = {"nomor_kk": free("kk", model["nomor_kk"][:12], serial), "kode_wilayah": desa, "alamat": f"Gang {serial}",
                 "status": "usulan", "anggota": [head]}
    status, made = send("/v1/requests", {"jenis": "baru", "rumah_tangga": household, "berita_acara": ba, "bukti": bukti}, desa_token)
    check(status == 201, f"a new household proposal through the API ({status}: {made.get('code')} {made.get('detail')})")
    return made.get("id")


def typed(driver, element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def field_error(driver, element_id):
    """The error shown next to element `element_id` (in its labelled field or fieldset), or ""."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]).closest('[data-field]');"
        "return [...e.querySelectorAll(':scope > .field-error')].map(p => p.textContent).join(' | ')", element_id)


def submit_form(driver, button="usulan-submit"):
    driver.find_element(By.ID, button).click()
    return WebDriverWait(driver, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#usulan-form-message .error, #usulan-created"))[0]


def open_usulan(driver):
    driver.find_element(By.CSS_SELECTOR, "#nav a[href='#usulan']").click()
    return wait(driver, "#usulan-cutoff[data-cutoff]")


def queue_ids(driver):
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "queue-total"))
    return [int(b.get_attribute("data-request-id")) for b in driver.find_elements(By.CSS_SELECTOR, "#queue-list button[data-request-id]")]


def filter_queue(driver, desa_code="", state=None):
    typed(driver, "queue-desa", desa_code)
    if state is not None:
        Select(driver.find_element(By.ID, "queue-state")).select_by_value(state)
    old = driver.find_elements(By.ID, "queue-total")
    driver.find_element(By.ID, "queue-apply").click()
    if old:
        WebDriverWait(driver, 15).until(EC.staleness_of(old[0]))
    return queue_ids(driver)


def open_request(driver, request_id):
    """Opens a request by typing its number and pressing Enter (the keyboard's way)."""
    old = driver.find_elements(By.CSS_SELECTOR, "#usulan-detail > *")
    field = driver.find_element(By.ID, "usulan-open-id")
    field.clear()
    field.send_keys(str(request_id), Keys.ENTER)
    if old:
        WebDriverWait(driver, 15).until(EC.staleness_of(old[0]))
    return WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.ID, "request-detail") or d.find_elements(By.ID, "usulan-not-found"))[0]


def act(driver, action, note=None):
    """Clicks the detail's `action` button (with a note) and returns the request's new state or the error."""
    if note is not None:
        typed(driver, "detail-catatan", note)
    old = driver.find_element(By.ID, "request-detail")
    driver.find_element(By.ID, f"detail-{action}").click()
    WebDriverWait(driver, 20).until(lambda d: EC.staleness_of(old)(d) or d.find_elements(By.CSS_SELECTOR, "#detail-message .error"))
    if driver.find_elements(By.CSS_SELECTOR, "#detail-message .error"):
        return None
    return driver.find_element(By.ID, "request-detail").get_attribute("data-status")


def batch(driver, desa_code, action):
    filter_queue(driver, desa_code, "antrean")
    old = driver.find_elements(By.CSS_SELECTOR, "#batch-message > *")
    driver.find_element(By.ID, f"batch-{action}").click()
    done = WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#batch-done, #batch-message .error"))[0]
    check(not old or EC.staleness_of(old[0])(driver), f"batch {action}: a new answer")
    return int(done.get_attribute("data-count") or -1) if done.get_attribute("id") == "batch-done" else None


def sign_in_as(driver, token):
    if driver.find_elements(By.CSS_SELECTOR, "#sign-out:not([hidden])"):
        driver.find_element(By.ID, "sign-out").click()
    sign_in(driver, token)


from selenium.webdriver.support.ui import Select  # noqa: E402

# The data: a household of the desa to copy the number rules from, and a request in another desa
# of the kabupaten (made by the admin).
households = api("/v1/households?limit=200")["households"]
model = next(h for h in households if h["kode_wilayah"] == desa and any(m.get("nik") for m in h["anggota"]))
region = next(m["nik"] for m in model["anggota"] if m.get("nik"))[:6]
kk = free("kk", model["nomor_kk"][:12], 9101)
head_nik = free("nik", f"{region}170580", 9201)
wife_nik = free("nik", f"{region}570582", 9301)
ba = {"nomor": "BA-07/2026", "tanggal": "2026-11-02"}
other = next(h for h in households if h["kode_wilayah"] != desa and h["kode_wilayah"][:5] == desa[:5]
             and not h["status"].startswith("tidak_layak"))
status, other_request = send("/v1/requests", {"jenis": "keluar", "rumah_tangga_id": other["id"], "alasan": "mampu", "catatan": "another desa"}, admin)
check(status == 201, f"the admin's request in another desa ({status})")
period = api("/v1/period", desa_token)

files = tempfile.mkdtemp()


def house(x, y):
    """A roof over a wall on a sky: something to see in the screenshots."""
    if y > 110 and 60 <= x < 260:
        return (200, 170, 120) if not (140 <= x < 180 and y > 170) else (90, 60, 30)
    if y > 40 and abs(x - 160) < (y - 40) * 1.5 and y <= 110:
        return (170, 50, 40)
    return (120, 180, 230 - y // 4)


def ktp(x, y):
    """A blue card with a photo box and lines of text."""
    if 16 <= x < 76 and 40 <= y < 120:
        return (230, 230, 230)
    if x >= 96 and y % 20 < 6 and 40 <= y < 140 and x < 156 + (y // 20 * 37) % 80:
        return (20, 40, 90)
    return (40, 90, 200)


house_photo = png(f"{files}/rumah.png", 320, 240, house)
ktp_photo = png(f"{files}/ktp.png", 256, 161, ktp)

driver = browser()
try:
    driver.get(console)
    sign_in(driver, desa_token)

    # --- The desa operator: the cut-off on view, the proposal refused field by field, then submitted.
    cutoff = open_usulan(driver)
    check(cutoff.get_attribute("data-cutoff") == period["cutoff"], f"the cut-off date is the API's ({cutoff.get_attribute('data-cutoff')})")
    year, month, day = period["cutoff"].split("-")
    check(year in cutoff.text and str(int(day)) in cutoff.text and period["periode"] in cutoff.text,
          f"the cut-off is shown: {cutoff.text!r}")
    wait(driver, "#usulan-form")
    queue_ids(driver)
    for element_id in ["usulan-jenis", "usulan-kk", "usulan-alamat", "usulan-ba-nomor", "usulan-foto-rumah", "usulan-ktp", "usulan-anggota-0-nik"]:
        check(driver.find_elements(By.CSS_SELECTOR, f"label[for='{element_id}']") != [], f"{element_id} is labelled")
    camera = driver.find_element(By.ID, "usulan-foto-rumah")
    check(camera.get_attribute("accept") == "image/*" and camera.get_attribute("capture") == "environment", "the photo inputs offer the camera")
    shot(driver, "usulan-desa")

    Select(driver.find_element(By.ID, "usulan-jenis")).select_by_value("baru")
    typed(driver, "usulan-kk", "0000000000000000")
    typed(driver, "usulan-alamat", "Jl. Melati 7")
    typed(driver, "usulan-rt", "3")
    typed(driver, "usulan-rw", "5")
    typed(driver, "usulan-anggota-0-nama", "Budi Santoso")
    typed(driver, "usulan-anggota-0-nik", head_nik)
    typed(driver, "usulan-anggota-0-tanggal_lahir", "1980-05-17")
    driver.find_element(By.ID, "usulan-add-member").click()
    typed(driver, "usulan-anggota-1-nama", "Siti Aminah")
    typed(driver, "usulan-anggota-1-nik", wife_nik)
    Select(driver.find_element(By.ID, "usulan-anggota-1-hubungan")).select_by_value("istri_suami")
    Select(driver.find_element(By.ID, "usulan-anggota-1-jenis_kelamin")).select_by_value("P")
    typed(driver, "usulan-anggota-1-tanggal_lahir", "1982-05-17")

    # A KK that breaks the KK rules: the error is beside the KK field.
    answer = submit_form(driver)
    check("error" in answer.get_attribute("class"), "a bad KK is refused")
    check("rumah_tangga.nomor_kk" in field_error(driver, "usulan-kk"), f"the KK's error is next to it: {field_error(driver, 'usulan-kk')!r}")
    check(driver.find_element(By.ID, "usulan-kk").get_attribute("aria-invalid") == "true", "the KK field is marked invalid")
    shot(driver, "usulan-form")
    # No meeting reference: the error is beside the berita acara.
    typed(driver, "usulan-kk", kk)
    submit_form(driver)
    check("berita_acara" in field_error(driver, "usulan-ba-nomor").split(":")[0] + driver.execute_script(
        "return [...document.querySelectorAll('fieldset[data-field=berita_acara] > .field-error')].map(p => p.textContent).join()"),
        "a proposal without a meeting reference: the error is at the berita acara")
    check(field_error(driver, "usulan-kk") == "", "the KK's old error is gone")
    # No evidence: the error is beside the evidence.
    typed(driver, "usulan-ba-nomor", ba["nomor"])
    typed(driver, "usulan-ba-tanggal", ba["tanggal"])
    submit_form(driver)
    evidence_error = driver.execute_script(
        "return [...document.querySelectorAll('#usulan-bukti > .field-error')].map(p => p.textContent).join()")
    check("bukti" in evidence_error, f"a new household without photos: the error is at the evidence ({evidence_error!r})")
    # The photos, chosen as files (on a phone, the camera): submitted.
    driver.find_element(By.ID, "usulan-foto-rumah").send_keys(house_photo)
    driver.find_element(By.ID, "usulan-ktp").send_keys(ktp_photo)
    created = submit_form(driver)
    check(created.get_attribute("id") == "usulan-created", f"the proposal is submitted: {created.text!r}")
    proposal = int(created.get_attribute("data-request-id") or 0)
    stored = api(f"/v1/requests/{proposal}")
    check(stored["status"] == "diajukan", f"request {proposal} is diajukan")
    check(sorted(item["jenis"] for item in stored["bukti"]) == ["foto_rumah", "ktp"], f"it holds a house photo and a KTP: {stored['bukti']}")
    check(stored.get("berita_acara") == ba, "it holds the meeting reference")
    household_id = stored["rumah_tangga_id"]
    check(household_id is not None and api(f"/v1/households/{household_id}")["status"] == "usulan", "its household is stored as usulan")
    detail = wait(driver, "#request-detail")
    check(detail.get_attribute("data-request-id") == str(proposal), "the new request is opened")

    # A status change: the household leaves the register (keluar), saved as a draft, then
    # submitted from the request's view.
    Select(driver.find_element(By.ID, "usulan-jenis")).select_by_value("keluar")
    check(not driver.find_element(By.ID, "usulan-household").is_displayed() and driver.find_element(By.ID, "usulan-alasan").is_displayed(),
          "a keluar proposal asks for a registered household and a reason")
    typed(driver, "usulan-rumah-tangga", str(model["id"]))
    Select(driver.find_element(By.ID, "usulan-alasan")).select_by_value("pindah")
    typed(driver, "usulan-ba-nomor", ba["nomor"])
    typed(driver, "usulan-ba-tanggal", ba["tanggal"])
    old_detail = driver.find_element(By.ID, "request-detail")
    draft = submit_form(driver, "usulan-draft")
    keluar = int(draft.get_attribute("data-request-id") or 0)
    check(draft.get_attribute("id") == "usulan-created" and "draft" in draft.text, f"the keluar proposal is saved as a draft: {draft.text!r}")
    WebDriverWait(driver, 15).until(EC.staleness_of(old_detail))
    wait(driver, "#request-detail[data-status='draft']")
    check(act(driver, "submit") == "diajukan", "the desa operator submits the draft")
    stored = api(f"/v1/requests/{keluar}")
    check(stored["jenis"] == "keluar" and stored["perubahan"] == {"alasan": "pindah"} and stored["rumah_tangga_id"] == model["id"],
          f"request {keluar}: household {model['id']} leaves, reason pindah")

    # Two more of the desa's proposals (through the API): one to reject, one for the batch.
    reject_id, batch_id = propose_new(9401), propose_new(9501)

    # The desa token sees its desa's requests only.
    mine = filter_queue(driver, "", "")
    check(all(i in mine for i in [proposal, keluar, reject_id, batch_id]), f"the desa's queue lists its requests ({mine})")
    check(other_request["id"] not in mine, "another desa's request is not in the desa's queue")
    check(open_request(driver, other_request["id"]).get_attribute("id") == "usulan-not-found", "another desa's request opens as not found")

    # English, then back.
    driver.find_element(By.ID, "language").click()
    english = wait(driver, "#usulan-cutoff[data-cutoff]")
    check("cut-off" in english.text and driver.find_element(By.CSS_SELECTOR, "main h1").text == "Change requests", "the page in English")
    driver.find_element(By.ID, "language").click()
    wait(driver, "#usulan-cutoff[data-cutoff]")

    # --- The verifikator: its queue (diajukan), the evidence, verify; a rejection needs a note.
    sign_in_as(driver, verifikator)
    open_usulan(driver)
    check(not driver.find_elements(By.ID, "usulan-form"), "a verifikator gets no proposal form")
    queue = queue_ids(driver)
    check(proposal in queue and reject_id in queue and batch_id in queue, f"the verifikator's queue holds the desa's proposals ({queue})")
    check(driver.find_element(By.ID, "queue-state").get_attribute("value") == "antrean", "the queue starts at what the role acts on")
    shot(driver, "usulan-verifikator")
    driver.find_element(By.CSS_SELECTOR, f"#queue-list button[data-request-id='{proposal}']").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "request-detail").get_attribute("data-request-id") == str(proposal))
    images = WebDriverWait(driver, 15).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#detail-evidence canvas")) == 2
                                             and d.find_elements(By.CSS_SELECTOR, "#detail-evidence canvas"))
    for image, (width, colour) in zip(images, [(320, list(house(1, 1))), (256, list(ktp(1, 1)))]):
        natural = int(image.get_attribute("data-natural-width"))
        pixel = driver.execute_script("return [...arguments[0].getContext('2d').getImageData(1, 1, 1, 1).data]", image)
        check(natural == width and pixel[:3] == colour and pixel[3] == 255,
              f"the {image.get_attribute('aria-label')} loads: natural width {natural}, pixel {pixel}")
    detail_text = driver.find_element(By.ID, "request-detail").text
    check("Budi Santoso" in detail_text and kk in detail_text, "the proposed household is shown")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", images[0])
    shot(driver, "usulan-evidence")
    check(act(driver, "verify") == "diverifikasi", "the verifikator verifies the proposal")
    check(api(f"/v1/households/{household_id}")["status"] == "terverifikasi", "its household is terverifikasi")

    open_request(driver, reject_id)
    check(act(driver, "reject") is None and "catatan" in field_error(driver, "detail-catatan"),
          f"a rejection without a note is refused beside the note ({field_error(driver, 'detail-catatan')!r})")
    check(act(driver, "reject", "Rumah permanen, kendaraan roda empat") == "ditolak", "a rejection with a note")
    rejected = api(f"/v1/requests/{reject_id}")
    check(rejected["status"] == "ditolak" and rejected["riwayat"][-1]["catatan"] == "Rumah permanen, kendaraan roda empat", "the note is kept")

    count = batch(driver, desa, "verify")
    check(count is not None and count >= 1, f"the desa's batch verify ({count})")
    check(api(f"/v1/requests/{batch_id}")["status"] == "diverifikasi", "the batch verified the desa's other proposal")

    # --- The kepala OPD: approve and apply the proposal; approve the rest of the desa at once.
    sign_in_as(driver, kepala)
    open_usulan(driver)
    queue = queue_ids(driver)
    check(proposal in queue and batch_id in queue and reject_id not in queue, f"the kepala's queue ({queue})")
    shot(driver, "usulan-kepala")
    driver.find_element(By.CSS_SELECTOR, f"#queue-list button[data-request-id='{proposal}']").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "request-detail").get_attribute("data-request-id") == str(proposal))
    check(act(driver, "approve") == "disetujui", "the kepala OPD approves")
    check(act(driver, "apply") == "diterapkan", "the kepala OPD applies it")
    count = batch(driver, desa, "approve")
    check(count is not None and count >= 1 and api(f"/v1/requests/{batch_id}")["status"] == "disetujui",
          f"the desa's batch approve ({count})")

    # --- The household card on Cari shows the applied proposal.
    sign_in_as(driver, admin)
    card = look_up(driver, "kk", kk)
    check(card.get_attribute("data-household-id") == str(household_id), "Cari finds the new household by its KK")
    check(card.find_element(By.ID, "card-status").text == "ditetapkan", f"its status is ditetapkan ({card.find_element(By.ID, 'card-status').text})")
    check("Budi Santoso" in card.text and "Siti Aminah" in card.text, "with its members")
    history = WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "card-history")).text
    check(f"request {proposal} baru: apply → diterapkan" in history and history.count(f"request {proposal} ") >= 4,
          "the card's history (the change feed) shows the proposal from submission to its apply")
    shot(driver, "usulan-applied-card")

    # --- A re-proposal: the new household leaves the register (the admin's keluar, through the
    # API), and the desa operator proposes it again (usul ulang) with its photos.
    status, leaving = send("/v1/requests", {"jenis": "keluar", "rumah_tangga_id": household_id, "alasan": "mampu"}, admin)
    for action in ["verify", "approve", "apply"]:
        status, leaving = send(f"/v1/requests/{leaving.get('id')}/{action}", {}, admin)
    check(api(f"/v1/households/{household_id}")["status"].startswith("tidak_layak"), f"household {household_id} left the register ({status})")
    sign_in_as(driver, desa_token)
    open_usulan(driver)
    wait(driver, "#usulan-form")
    Select(driver.find_element(By.ID, "usulan-jenis")).select_by_value("usul_ulang")
    check(not driver.find_element(By.ID, "usulan-alasan").is_displayed(), "a re-proposal asks for no reason")
    typed(driver, "usulan-rumah-tangga", str(household_id))
    typed(driver, "usulan-ba-nomor", "BA-09/2026")
    typed(driver, "usulan-ba-tanggal", ba["tanggal"])
    driver.find_element(By.ID, "usulan-foto-rumah").send_keys(house_photo)
    driver.find_element(By.ID, "usulan-ktp").send_keys(ktp_photo)
    again = submit_form(driver)
    check(again.get_attribute("id") == "usulan-created", f"the re-proposal is submitted: {again.text!r}")
    check(api(f"/v1/households/{household_id}")["status"] == "usulan", "the re-proposed household is usulan again")

    # --- The phone width: the desa operator's page fits.
    driver.set_window_size(390, 844)
    open_usulan(driver)
    wait(driver, "#usulan-form")
    queue_ids(driver)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    check(overflow <= 1, f"nothing wider than the phone ({overflow} px over)")
    shot(driver, "usulan-phone")
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    top = driver.execute_script("const r = document.getElementById('usulan-cutoff').getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight]")
    check(top[0] >= 0 and top[1] <= top[2] and top[2] > 0, f"scrolled to the end, the cut-off is still in view ({top})")

    same_origin(driver)
finally:
    driver.quit()
finish()
