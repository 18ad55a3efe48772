#!/usr/bin/env python3
"""Konsol Lumbung in a real browser: Debian's headless Chromium driven by Selenium against a live
`lumbung serve --console` on loopback. ConsoleBrowserTests starts the server, makes the tokens
and runs this; it exits non-zero with the failed checks.

usage: console-browser-test.py URL ADMIN_TOKEN DESA_TOKEN DESA OUTPUT_DIR

Checks: sign-in and sign-out; a NIK and a KK look-up typed and clicked as a person would, the card
checked against the store (read with the admin token); a desa token that cannot see another
desa's household; no request leaving the origin; the first load's transfer within 150 KB; the
Cari page's first render within 2 s at 750 kbit/s and 150 ms latency. A screenshot of each page
goes to OUTPUT_DIR.
"""
from console_browser import *  # noqa: F403 (the shared checks, browser and sign-in)

# Households to look for: one in the desa token's desa, one outside it.
page = api("/v1/households?limit=200")["households"]
inside = next(h for h in page if h["kode_wilayah"] == desa and len(h["anggota"]) > 1)
outside = next(h for h in page if h["kode_wilayah"] != desa)
inside = api(f"/v1/households/{inside['id']}")

driver = browser()
try:
    # The first load, cold: what it transfers.
    driver.get(console)
    wait(driver, "#token")
    transferred = driver.execute_script(
        "return performance.getEntries().filter(e => 'transferSize' in e).reduce((s, e) => s + e.transferSize, 0)")
    check(0 < transferred <= FIRST_LOAD_BUDGET, f"the first load transfers {transferred} bytes (budget {FIRST_LOAD_BUDGET})")
    check(driver.find_element(By.CSS_SELECTOR, "label[for=token]").text != "", "the token input is labelled")
    shot(driver, "sign-in")

    # A wrong token stays out.
    field = wait(driver, "#token")
    field.send_keys("lmb_nottherighttoken")
    driver.find_element(By.ID, "sign-in-button").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "sign-in-message").text != "")
    check(driver.execute_script("return sessionStorage.getItem('lumbung.token')") is None, "a refused token is not kept")

    # Sign in as the admin; the token is in sessionStorage and not in the URL.
    sign_in(driver, admin)
    check(admin not in driver.current_url, "the token is not in the URL")
    check(driver.execute_script("return sessionStorage.getItem('lumbung.token')") == admin, "the token is in sessionStorage")
    check(driver.execute_script("return localStorage.getItem('lumbung.token')") is None, "the token is not in localStorage")
    shot(driver, "cari")

    # A NIK look-up of the second member, then a KK look-up, typed and clicked.
    card = look_up(driver, "nik", inside["anggota"][1]["nik"])
    check_card(card, inside, "NIK look-up")
    shot(driver, "cari-nik")
    card = look_up(driver, "kk", inside["nomor_kk"])
    check_card(card, inside, "KK look-up")
    shot(driver, "cari-kk")
    check(all(number not in driver.current_url for number in [inside["nomor_kk"], inside["anggota"][1]["nik"]]),
          "no NIK or KK in the URL")

    # Sixteen digits that are no NIK: the server's refusal, not "not found".
    result = look_up(driver, "nik", "0000000000000000")
    check(result.get_attribute("id") == "cari-invalid", "a number that breaks the NIK rules is called invalid")

    # English, then back to Indonesian (kept in localStorage).
    driver.find_element(By.ID, "language").click()
    check(wait(driver, "#cari-search").text == "Search", "the English switch relabels the page")
    driver.refresh()
    check(wait(driver, "#cari-search").text == "Search", "the language is kept across a reload")
    driver.find_element(By.ID, "language").click()
    check(wait(driver, "#cari-search").text == "Cari", "back to Indonesian")

    # Keyboard: Tab from the page start reaches the search field and Enter searches.
    field = driver.find_element(By.ID, "cari-number")
    field.clear()
    field.send_keys(inside["nomor_kk"])
    driver.find_element(By.ID, "cari-by-kk").send_keys(Keys.SPACE)
    field.send_keys(Keys.ENTER)
    wait(driver, "#household-card")
    check(driver.find_element(By.ID, "household-card").get_attribute("data-household-id") == str(inside["id"]), "Enter in the field searches")

    # Phone width.
    driver.set_window_size(390, 844)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(width <= 390 + 1, f"at phone width the page does not scroll sideways ({width}px)")
    shot(driver, "cari-phone")
    driver.set_window_size(1366, 768)
    same_origin(driver)

    # Wilayah: drill down from the whole store to the desa, each level's counts against /v1/stats.
    driver.find_element(By.CSS_SELECTOR, "#nav a[href='#wilayah']").click()
    wait(driver, "#wilayah-summary")
    stats = api("/v1/stats")
    check(f"{stats['total']['households']}" in driver.find_element(By.ID, "wilayah-total").text, "Wilayah: the scope's total")
    shot(driver, "wilayah")
    for depth, code in enumerate([desa[:2], desa[:5], desa[:8], desa]):
        expected = api(f"/v1/stats?wilayah={code}")
        child = next(c for c in stats["children"] if c["wilayah"] == code)
        driver.find_element(By.XPATH, f"//table//tr[td[2][text()='{code}']]//button").click()
        WebDriverWait(driver, 15).until(lambda d: shown_wilayah(d) == code)
        total = driver.find_element(By.ID, "wilayah-total").text
        check(f"{expected['total']['households']}" in total and child["households"] == expected["total"]["households"],
              f"Wilayah {code}: {total!r}")
        stats = expected
    check(len(driver.find_elements(By.CSS_SELECTOR, "#wilayah-summary table")) == 0, "Wilayah: a desa has no regions below")
    shot(driver, "wilayah-desa")
    driver.find_element(By.CSS_SELECTOR, ".crumbs button").click()
    WebDriverWait(driver, 15).until(lambda d: shown_wilayah(d) == "")
    check(True, "Wilayah: the trail leads back up")
    driver.find_element(By.CSS_SELECTOR, "#nav a[href='#cari']").click()
    wait(driver, "#cari-form")

    # Sign out: the token is gone and the sign-in form is back.
    driver.find_element(By.ID, "sign-out").click()
    wait(driver, "#token")
    check(driver.execute_script("return sessionStorage.getItem('lumbung.token')") is None, "sign-out forgets the token")

    # A desa token: its own household shows, another desa's is "not found" and nothing of it.
    sign_in(driver, desa_token)
    card = look_up(driver, "kk", inside["nomor_kk"])
    check(card.get_attribute("id") == "household-card", "the desa token sees its own desa's household")
    for kind, number in [("nik", outside["anggota"][0]["nik"]), ("kk", outside["nomor_kk"])]:
        result = look_up(driver, kind, number)
        check(result.get_attribute("id") == "cari-not-found", f"the desa token gets 'not found' for another desa's {kind}")
        body = driver.find_element(By.TAG_NAME, "body").text
        check(outside["nomor_kk"] not in body and outside["anggota"][0]["nama"] not in body and outside["kode_wilayah"] not in body,
              f"nothing of the other desa's household shows ({kind})")
    shot(driver, "cari-desa-not-found")
    # Its Wilayah page is its desa alone, and no way up.
    driver.find_element(By.CSS_SELECTOR, "#nav a[href='#wilayah']").click()
    WebDriverWait(driver, 15).until(lambda d: shown_wilayah(d) is not None)
    check(shown_wilayah(driver) == desa, "the desa token's Wilayah page is its desa")
    desa_stats = api("/v1/stats?wilayah=" + desa)
    check(f"{desa_stats['total']['households']}" in driver.find_element(By.ID, "wilayah-total").text, "the desa's total")
    check(not driver.find_elements(By.CSS_SELECTOR, ".crumbs button"), "no way up from the desa")
    check(outside["kode_wilayah"] not in driver.find_element(By.TAG_NAME, "body").text, "no other desa's code shows")
    shot(driver, "wilayah-desa-token")
    same_origin(driver)

    # The Cari page's first render on a slow link (signed in, so the page itself renders).
    driver.set_network_conditions(offline=False, latency=150, download_throughput=750 * 1000 // 8,
                                  upload_throughput=750 * 1000 // 8)
    driver.get("about:blank")
    started = time.monotonic()
    driver.get(console + "#cari")
    wait(driver, "#cari-form", seconds=30)
    seconds = time.monotonic() - started
    check(seconds <= RENDER_BUDGET_SECONDS, f"Cari renders in {seconds:.2f} s at 750 kbit/s, 150 ms (budget {RENDER_BUDGET_SECONDS} s)")
    shot(driver, "cari-throttled")
finally:
    driver.quit()

finish()
