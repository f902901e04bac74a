#!/usr/bin/python3
"""The staff console's pages in headless Chromium, as a phone (375 px) and
a desktop (1280 px) show them, logged in as a publisher: the dashboard,
the history, an alert's page while it goes out, the compose page empty
and with its preview, the drafts and a draft's page; then a draft saved
and submitted by one publisher is approved by a second; then, as an admin,
the admin pages (users, an account, API keys with a new key shown once,
the catalogue, reply texts, settings). Each is screenshotted under --out, checked by
axe-core (no serious or critical violation), and must leave nothing in
the browser's console (a script or style the Content-Security-Policy
refuses shows there) nor scroll sideways on a phone.

Usage: console_pages_test.py --banditore BIN --axe axe.min.js --out DIR
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import os
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

            # The admin pages, as an admin: each at both widths; an API key
            # made with the form is shown once, then never; a publisher is
            # refused them; no page shows the subscriber's number.
            if driver.find_elements("css selector", "a[href='/console/admin']"):
                failures.append("a publisher is offered the admin pages")
            driver.get(site.base + "/console/admin/users")
            if "Accesso non consentito" not in driver.page_source:
                failures.append("a publisher reached /console/admin/users")
            console_problems(driver)  # the 403 just asked for is logged; read it away
            admin = "a.verdi@comune.example.it"
            admin_password = site.cli(["users", "create", "--email", admin, "--name", "Anna Verdi",
                                       "--role", "admin"]).strip().splitlines()[-1]
            driver.delete_all_cookies()
            log_in(driver, site, admin, admin_password)
            admin_pages = {
                "admin": "/console/admin",
                "admin-users": "/console/admin/users",
                "admin-user": "/console/admin/users/1",
                "admin-keys": "/console/admin/keys",
                "admin-audience": "/console/admin/audience",
                "admin-replies": "/console/admin/replies",
                "admin-settings": "/console/admin/settings",
            }
            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                for name, path in admin_pages.items():
                    driver.get(site.base + path)
                    if "3331234567" in driver.page_source:
                        failures.append("%s shows the subscriber's number" % name)
                    if "browser-test-token" in driver.page_source or "browser-test-secret" in driver.page_source:
                        failures.append("%s shows a secret of the configuration" % name)
                    check(name, label, width, mobile)
            set_width(driver, 375, True)
            driver.get(site.base + "/console/admin/keys")
            driver.find_element("id", "nome").send_keys("protezione-civile")
            driver.find_element("id", "ambito-cap-ingest").click()
            driver.find_element("xpath", "//button[normalize-space()='Crea la chiave']").click()
            wait_for(driver, lambda: driver.find_elements("id", "segreto"), "the new key was not shown")
            secret = driver.find_element("id", "segreto").get_attribute("value")
            if not secret.startswith("bnd_"):
                failures.append("the new key's page shows no token")
            if "Copiala ora" not in driver.page_source:
                failures.append("the new key's page does not say to copy it now")
            check("admin-key-created", "phone", 375, True)
            driver.get(site.base + "/console/admin/keys")
            if secret and secret in driver.page_source:
                failures.append("the keys' page shows a token again")
            if "protezione-civile" not in driver.page_source:
                failures.append("the keys' page does not list the new key")
        finally:
            driver.quit()

    for f in failures:
        print("FAIL: " + f)
    print("%d failure(s); screenshots in %s" % (len(failures), args.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
