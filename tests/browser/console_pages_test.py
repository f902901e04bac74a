#!/usr/bin/python3
"""The staff console's pages in headless Chromium, as a phone (375 px) and
a desktop (1280 px) show them, logged in as a publisher: the dashboard,
the history, an alert's page while it goes out, the compose page empty
and with its preview, «Il mio account» and its second factor's
enrolment (a QR code, confirmed with a code computed here as RFC 6238
says, then the recovery codes), the drafts, a draft's page and its edit
page; then a draft saved, edited and submitted by one publisher is
approved by a second. Each is screenshotted under --out, checked by
axe-core (no serious or critical violation), and must leave nothing in
the browser's console (a script or style the Content-Security-Policy
refuses shows there) nor scroll sideways on a phone.

Usage: console_pages_test.py --banditore BIN --axe axe.min.js --out DIR
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import base64
import hashlib
import hmac
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import (Banditore, axe_violations, chromium, console_problems,  # noqa: E402
                             full_page_png, set_width)

WIDTHS = [("phone", 375, True), ("desktop", 1280, False)]
SERIOUS = {"serious", "critical"}


def seed(site):
    """One subscriber and one alert to them, which stays in progress: the
    WhatsApp address is a closed port."""
    token = site.create_key("ufficio stampa", "alerts:send,alerts:read,stats:read")
    assert site.citizen_says("393331234567", "Attiva", "wamid.console-browser-1") == 200
    end = time.monotonic() + 30
    while site.api("GET", "/v1/stats", token)[1].get("subscribers", 0) < 1:
        assert time.monotonic() < end, "the subscriber was not recorded"
        time.sleep(0.1)
    status, answer = site.api("POST", "/v1/alerts", token, {
        "category": "water", "severity": "severe", "title": "Acqua non potabile in via Roma",
        "text": "Da *oggi* alle 18 l'acqua del rubinetto non è potabile.\n\nUsa acqua in bottiglia."})
    assert status == 202, (status, answer)
    return answer["id"]


def log_in(driver, site, email, password):
    driver.get(site.base + "/console/login")
    driver.find_element("id", "email").send_keys(email)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "form.login button[type=submit]").click()
    end = time.monotonic() + 20
    while "/console/login" in driver.current_url:
        assert time.monotonic() < end, "the login did not open a session"
        time.sleep(0.1)


def totp(secret_b32, at=None, digits=6, step=30):
    """RFC 6238 with HMAC-SHA-1 (RFC 4226's dynamic truncation)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def wait_for(driver, condition, failure):
    end = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < end, failure
        time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--banditore", required=True)
    ap.add_argument("--axe", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(args.axe, encoding="utf-8") as f:
        axe_source = f.read()

    failures = []
    env = {"BANDITORE_TOWN": "Lugo", "BANDITORE_CONSOLE_TOTP": "optional"}
    with Banditore(args.banditore, env) as site:
        alert_id = seed(site)
        email = "m.rossi@comune.example.it"
        password = site.cli(["users", "create", "--email", email, "--name", "Maria Rossi",
                             "--role", "publisher"]).strip().splitlines()[-1]
        pages = {
            "dashboard": "/console/",
            "history": "/console/alerts",
            "history-filtered": "/console/alerts?gravita=severe&q=acqua",
            "alert": "/console/alerts/%d" % alert_id,
            "compose": "/console/compose",
            "account": "/console/account",
            "account-totp": "/console/account/totp",
        }
        driver = chromium()
        try:
            log_in(driver, site, email, password)

            def check(name, label, width, mobile):
                shot = os.path.join(args.out, "console-%s-%s.png" % (name, label))
                full_page_png(driver, shot)
                problems = console_problems(driver)
                if problems:
                    failures.append("%s at %s: the console says %s" % (name, label, problems))
                if driver.execute_script("return document.documentElement.lang") != "it":
                    failures.append("%s: lang is not it" % name)
                scroll = driver.execute_script("return document.documentElement.scrollWidth")
                if mobile and scroll > width:
                    failures.append("%s at %d px scrolls sideways (%d px wide)" % (name, width, scroll))
                for v in axe_violations(driver, axe_source):
                    line = "%s at %s: axe %s (%s): %s %s" % (name, label, v["id"], v["impact"], v["help"], v["nodes"])
                    print(line)
                    if v["impact"] in SERIOUS:
                        failures.append(line)
                print("checked %s at %s -> %s" % (name, label, shot))

            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                for name, path in pages.items():
                    driver.get(site.base + path)
                    check(name, label, width, mobile)
                # The compose page's preview, by its button as without JavaScript.
                driver.get(site.base + "/console/compose")
                driver.find_element("id", "titolo").send_keys("Strada chiusa")
                driver.find_element("id", "testo").send_keys("Via Roma è *chiusa* fino alle 18.")
                driver.find_element("css selector", "button[value=anteprima]").click()
                end = time.monotonic() + 20
                while not driver.find_elements("css selector", ".phone .bubble"):
                    if time.monotonic() > end:
                        failures.append("compose at %s: Anteprima showed no phone" % label)
                        break
                    time.sleep(0.1)
                check("compose-preview", label, width, mobile)

            # The second factor, enrolled from the browser: the secret the
            # page shows gives the code an app would, and the recovery
            # codes follow once.
            set_width(driver, 1280, False)
            assert totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59, digits=8) == "94287082"  # RFC 6238 appendix B
            driver.get(site.base + "/console/account/totp")
            if not driver.find_elements("css selector", ".qr svg"):
                failures.append("the enrolment page shows no QR code")
            secret = driver.find_element("css selector", "input[name=segreto]").get_attribute("value")
            driver.find_element("id", "codice").send_keys(totp(secret))
            driver.find_element("id", "password").send_keys(password)
            driver.find_element("xpath", "//button[normalize-space()='Conferma e attiva']").click()
            wait_for(driver, lambda: "Codici di recupero" in driver.page_source, "the code did not enrol the second factor")
            if len(driver.find_elements("css selector", "ul.recovery-codes li")) != 10:
                failures.append("the enrolment did not show ten recovery codes")
            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                check("account-totp-codes", label, width, mobile)
            driver.get(site.base + "/console/account")
            if "Codici di recupero rimasti: 10" not in driver.page_source:
                failures.append("the account page does not show the second factor as active")

            # The second person's approval: the first publisher saves a
            # draft and asks for its approval, and may not approve it; a
            # second publisher approves it and lands on the alert's page.
            second = "l.bianchi@comune.example.it"
            second_password = site.cli(["users", "create", "--email", second, "--name", "Luca Bianchi",
                                        "--role", "publisher"]).strip().splitlines()[-1]
            set_width(driver, 1280, False)
            driver.get(site.base + "/console/compose")
            driver.find_element("id", "titolo").send_keys("Mercato spostato")
            driver.find_element("id", "testo").send_keys("Sabato il mercato è in piazza Garibaldi.")
            driver.find_element("css selector", "button[value=bozza]").click()
            wait_for(driver, lambda: "/console/drafts/" in driver.current_url, "Salva bozza led to no draft's page")
            draft_path = driver.current_url[len(site.base):]
            # Its edit page: the compose form filled with it, saved at the
            # revision read.
            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                driver.get(site.base + draft_path + "/edit")
                check("draft-edit", label, width, mobile)
            set_width(driver, 1280, False)
            title = driver.find_element("id", "titolo")
            title.clear()
            title.send_keys("Mercato spostato in piazza")
            driver.find_element("css selector", "button[value=salva]").click()
            wait_for(driver, lambda: driver.current_url.endswith(draft_path) and "Mercato spostato in piazza" in driver.page_source,
                     "Salva le modifiche did not lead back to the edited draft")
            driver.find_element("xpath", "//button[normalize-space()='Chiedi approvazione']").click()
            wait_for(driver, lambda: "in attesa di approvazione" in driver.page_source, "the draft was not submitted")
            if driver.find_elements("xpath", "//button[normalize-space()='Approva e invia']"):
                failures.append("the author is offered Approva e invia on their own draft")
            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                driver.get(site.base + "/console/drafts")
                check("drafts", label, width, mobile)
                driver.get(site.base + draft_path)
                check("draft", label, width, mobile)
            driver.delete_all_cookies()
            log_in(driver, site, second, second_password)
            driver.get(site.base + draft_path)
            driver.find_element("xpath", "//button[normalize-space()='Approva e invia']").click()
            wait_for(driver, lambda: "/console/alerts/" in driver.current_url, "the approval led to no alert's page")
            if "Mercato spostato" not in driver.page_source:
                failures.append("the approved alert's page does not show its title")

            # The alert's page follows its events with the script.
            driver.get(site.base + pages["alert"])
            if not driver.execute_script("return !!document.querySelector('[data-events]')"):
                failures.append("the alert in progress does not follow its events")
        finally:
            driver.quit()

    for f in failures:
        print("FAIL: " + f)
    print("%d failure(s); screenshots in %s" % (len(failures), args.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
