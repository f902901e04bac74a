#!/usr/bin/python3
"""The staff console's pages in headless Chromium, as a phone (375 px) and
a desktop (1280 px) show them, logged in as a publisher: the dashboard,
the history, an alert's page while it goes out, the compose page empty
and with its preview, «Il mio account» and its second factor's
enrolment (a QR code, confirmed with a code computed here as RFC 6238
says, then the recovery codes), the drafts, a draft's page and its edit
page; then a draft saved, edited and submitted by one publisher is
approved by a second; then, as an admin, the admin pages (users, an
account, API keys with a new key shown once, the catalogue, reply texts,
settings). Each is screenshotted under --out, checked by
axe-core (no serious or critical violation), and must leave nothing in
the browser's console (a script or style the Content-Security-Policy
refuses shows there) nor scroll sideways on a phone. Then a form posted
with a wrong CSRF token is refused with its 403 page, wrong passwords
repeated are throttled with the Italian message, and, against wa-sim, an
alert sent from the compose page goes out until its page says "concluso"
and each citizen's inbox on wa-sim (/sim/inbox) holds it.

Every wait is WebDriverWait on a condition, with a deadline.

Usage: console_pages_test.py --banditore BIN --wa-sim BIN --axe axe.min.js --out DIR
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

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
    try:
        # WebDriverWait polls any object: here the site, before a browser exists.
        WebDriverWait(site, 30, poll_frequency=0.1).until(
            lambda s: s.api("GET", "/v1/stats", token)[1].get("subscribers", 0) >= 1)
    except TimeoutException:
        raise AssertionError("the subscriber was not recorded")
    status, answer = site.api("POST", "/v1/alerts", token, {
        "category": "water", "severity": "severe", "title": "Acqua non potabile in via Roma",
        "text": "Da *oggi* alle 18 l'acqua del rubinetto non è potabile.\n\nUsa acqua in bottiglia."})
    assert status == 202, (status, answer)
    return answer["id"]


def wait_for(driver, condition, failure, seconds=20):
    """WebDriverWait on condition (called with no argument); failure is
    the assertion's message when the deadline passes."""
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition())
    except TimeoutException:
        raise AssertionError(failure)


def log_in(driver, site, email, password):
    driver.get(site.base + "/console/login")
    driver.find_element("id", "email").send_keys(email)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "form.login button[type=submit]").click()
    wait_for(driver, lambda: "/console/login" not in driver.current_url, "the login did not open a session")


def submit_and_wait(driver, button):
    """Clicks a form's button and waits for the page it posts to: the old
    page's html element goes stale when the new one has loaded."""
    old = driver.find_element("tag name", "html")
    button.click()
    WebDriverWait(driver, 20, poll_frequency=0.1).until(
        lambda d: _stale(old) and d.execute_script("return document.readyState") == "complete")


def _stale(element):
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        # Asked while the new page replaces the old, ChromeDriver can answer
        # with the inspector's own words for a node of the old document
        # instead of "stale element reference" (seen in CI).
        message = e.msg or ""
        if "does not belong to the document" in message or "No node with given id" in message:
            return True
        raise


class WaSim:
    """wa-sim on a free loopback port, as the Cloud API and the citizens'
    phones, with the credentials a Banditore of browser_support uses."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.TemporaryDirectory(prefix="wa-sim-browser-")
        self.process = None
        self.base = None

    def start(self, driver):
        port_file = os.path.join(self.dir.name, "port")
        self.log = open(os.path.join(self.dir.name, "wa-sim.log"), "wb")
        self.process = subprocess.Popen(
            [self.binary, "--listen", "127.0.0.1:0", "--port-file", port_file, "--token", "browser-test-token",
             "--app-secret", "browser-test-secret", "--phone-number-id", "100000000000001"],
            stdout=self.log, stderr=subprocess.STDOUT)

        def port():
            if self.process.poll() is not None:
                raise AssertionError("wa-sim exited")
            if not os.path.exists(port_file):
                return None
            with open(port_file) as f:
                text = f.read().strip()
            return text or None
        wait_for(driver, lambda: port() is not None, "wa-sim did not listen", 60)
        self.base = "http://127.0.0.1:%s" % port()
        return self

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.dir.cleanup()


def png_file(folder):
    """A real 2x2 PNG (signature, IHDR, IDAT, IEND with their CRCs)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    raw = b"".join(b"\x00" + b"\x0b\x4f\x8c" * 2 for _ in range(2))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    path = os.path.join(folder, "mappa.png")
    with open(path, "wb") as f:
        f.write(png)
    return path


def models_and_attachment(driver, site, failures, check):
    """A message model written in the console, its pages at both widths,
    «Usa» filling its blanks into the compose page; then an image attached
    in the compose form, shown on the phone's preview from the console's
    own address (the Content-Security-Policy allows it) with the caption's
    1024-character counter."""
    set_width(driver, 1280, False)
    driver.get(site.base + "/console/models/new")
    driver.find_element("id", "nome").send_keys("Interruzione idrica")
    driver.find_element("id", "testo").send_keys("Interruzione idrica in via ___ dalle ___ alle ___.")
    submit_and_wait(driver, driver.find_element("css selector", "form.compose button[type=submit]"))
    links = driver.find_elements("css selector", "a[href$='/use']")
    if not links:
        failures.append("the new model is not listed with «Usa»")
        return
    use_path = links[0].get_attribute("href")[len(site.base):]
    model_path = use_path[:-len("/use")]
    for label, width, mobile in WIDTHS:
        set_width(driver, width, mobile)
        for name, path in (("models", "/console/models"), ("model", model_path), ("model-use", use_path)):
            driver.get(site.base + path)
            check(name, label, width, mobile)
    set_width(driver, 1280, False)
    driver.get(site.base + use_path)
    for i, value in enumerate(("Roma", "9", "13"), start=1):
        driver.find_element("id", "spazio-%d" % i).send_keys(value)
    submit_and_wait(driver, driver.find_element("css selector", "form.compose button[type=submit]"))
    text = driver.find_element("id", "testo").get_attribute("value")
    if text != "Interruzione idrica in via Roma dalle 9 alle 13.":
        failures.append("«Usa modello» filled the compose page with %r" % text)

    with tempfile.TemporaryDirectory(prefix="banditore-upload-") as folder:
        driver.find_element("id", "allegato").send_keys(png_file(folder))
        submit_and_wait(driver, driver.find_element("css selector", "button[value=anteprima]"))
    try:
        WebDriverWait(driver, 20, poll_frequency=0.1).until(lambda d: d.execute_script(
            "const i = document.querySelector('.phone img.attachment'); return !!i && i.complete && i.naturalWidth === 2;"))
    except TimeoutException:
        failures.append("the attached image is not shown on the phone's preview")
    counter = driver.find_element("css selector", ".phone .counter").text
    if "di 1024 caratteri" not in counter:
        failures.append("with an attachment the counter is %r, not the caption's 1024" % counter)
    if not driver.find_elements("css selector", "input[name=allegato_id]"):
        failures.append("the compose form does not keep the stored attachment")
    for label, width, mobile in WIDTHS:
        set_width(driver, width, mobile)
        check("compose-attachment", label, width, mobile)


def csrf_refused(driver, site, failures, check):
    """A form posted with a token that is not this session's: the 403 page
    of the console, and nothing saved. The token is changed through
    WebDriver, which the page's Content-Security-Policy does not govern."""
    set_width(driver, 1280, False)
    driver.get(site.base + "/console/compose")
    driver.find_element("id", "titolo").send_keys("Bozza mai salvata")
    driver.find_element("id", "testo").send_keys("Questo testo non deve diventare una bozza.")
    driver.execute_script("document.querySelector('form.compose input[name=csrf]').value = 'sbagliato';")
    submit_and_wait(driver, driver.find_element("css selector", "button[value=bozza]"))
    heading = driver.find_element("tag name", "h1").text
    if heading != "Modulo scaduto o non valido":
        failures.append("a wrong CSRF token gave the page %r, not the refusal" % heading)
    if "/console/drafts/" in driver.current_url:
        failures.append("a form with a wrong CSRF token saved a draft")
    check("csrf-refused", "desktop", 1280, False, statuses=(403,))
    driver.get(site.base + "/console/drafts?stato=draft")
    if "Bozza mai salvata" in driver.page_source:
        failures.append("a form with a wrong CSRF token saved a draft")


def throttled(driver, site, failures, check):
    """Wrong passwords repeated on one account: after the account's five
    the login page says, in Italian, to wait, and never whether the
    account exists."""
    email = "a.verdi@comune.example.it"
    site.cli(["users", "create", "--email", email, "--name", "Anna Verdi", "--role", "editor"])
    driver.delete_all_cookies()
    set_width(driver, 375, True)
    message = ""
    for attempt in range(1, 8):
        driver.get(site.base + "/console/login")
        driver.find_element("id", "email").send_keys(email)
        driver.find_element("id", "password").send_keys("una password sbagliata %d" % attempt)
        submit_and_wait(driver, driver.find_element("css selector", "form.login button[type=submit]"))
        message = driver.find_element("css selector", "main").text
        if "Troppi tentativi: riprova tra" in message:
            break
    else:
        failures.append("seven wrong passwords were never throttled; the page said %r" % message)
        return
    if attempt < 6:
        failures.append("throttled after %d wrong passwords, before the account's five" % attempt)
    check("login-throttled", "phone", 375, True, statuses=(401, 429))


def progress_reaches_done(args, failures):
    """Two citizens join through wa-sim; a publisher sends an alert from
    the compose page; its page follows the progress until "concluso", and
    each citizen's inbox on wa-sim holds the alert."""
    citizens = ["393331110001", "393331110002"]
    sim = WaSim(args.wa_sim)
    driver = chromium()
    try:
        sim.start(driver)
        env = {"BANDITORE_TOWN": "Lugo", "BANDITORE_CONSOLE_TOTP": "optional",
               "BANDITORE_WA_API_BASE": sim.base}
        with Banditore(args.banditore, env) as site:
            sim.call("POST", "/sim/config", {"webhook_url": site.base + "/webhook/whatsapp"})
            sim.call("POST", "/sim/citizens/messages",
                     {"messages": [{"from": c, "text": "Attiva"} for c in citizens]})
            # Each has the confirmation on the phone: both are subscribed.
            wait_for(driver, lambda: all(sim.call("GET", "/sim/inbox/" + c)["messages"] for c in citizens),
                     "the citizens got no confirmation from wa-sim", 60)
            email = "g.neri@comune.example.it"
            password = site.cli(["users", "create", "--email", email, "--name", "Giulia Neri",
                                 "--role", "publisher"]).strip().splitlines()[-1]
            set_width(driver, 1280, False)
            log_in(driver, site, email, password)
            driver.get(site.base + "/console/compose")
            title = "Chiusura di via Mazzini"
            driver.find_element("id", "titolo").send_keys(title)
            driver.find_element("id", "testo").send_keys("Via Mazzini resta chiusa fino alle 20 per lavori.")
            submit_and_wait(driver, driver.find_element("css selector", "button[value=invia]"))
            if "/console/alerts/" not in driver.current_url:
                failures.append("Invia led to %s, not the alert's page" % driver.current_url)
                return
            try:
                # The live progress (console.js following the events), or
                # the page reloading itself, reaches the end.
                WebDriverWait(driver, 90, poll_frequency=0.2).until(
                    lambda d: d.find_element("css selector", "[data-progress=state_label]").text == "concluso")
            except TimeoutException:
                state = driver.find_element("css selector", "[data-progress=state_label]").text
                failures.append("the alert's page never said concluso (last: %r)" % state)
            for c in citizens:
                texts = [m.get("text", "") + json.dumps(m.get("template", {}), ensure_ascii=False)
                         for m in sim.call("GET", "/sim/inbox/" + c)["messages"]]
                if not any("Mazzini" in t for t in texts):
                    failures.append("a citizen's inbox on wa-sim lacks the alert: %s" % texts)
            shot = os.path.join(args.out, "console-alert-done-desktop.png")
            full_page_png(driver, shot)
            print("checked alert-done at desktop -> %s" % shot)
            if "393331110001" in driver.page_source or "393331110002" in driver.page_source:
                failures.append("a citizen's number appears on the alert's page")
    finally:
        driver.quit()
        sim.stop()


def totp(secret_b32, at=None, digits=6, step=30):
    """RFC 6238 with HMAC-SHA-1 (RFC 4226's dynamic truncation)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return str(code).zfill(digits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--banditore", required=True)
    ap.add_argument("--wa-sim", required=True)
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

            def check(name, label, width, mobile, statuses=()):
                """statuses: the HTTP statuses this page was reached by on
                purpose (a refusal), which the browser's console reports."""
                shot = os.path.join(args.out, "console-%s-%s.png" % (name, label))
                full_page_png(driver, shot)
                expected = ["the server responded with a status of %d" % code for code in statuses]
                problems = [p for p in console_problems(driver) if not any(e in p for e in expected)]
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
                try:
                    WebDriverWait(driver, 20, poll_frequency=0.1).until(
                        lambda d: d.find_elements("css selector", ".phone .bubble"))
                except TimeoutException:
                    failures.append("compose at %s: Anteprima showed no phone" % label)
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

            # The admin pages, as an admin: each at both widths; an API key
            # made with the form is shown once, then never; a publisher is
            # refused them; no page shows the subscriber's number.
            if driver.find_elements("css selector", "a[href='/console/admin']"):
                failures.append("a publisher is offered the admin pages")
            driver.get(site.base + "/console/admin/users")
            if "Accesso non consentito" not in driver.page_source:
                failures.append("a publisher reached /console/admin/users")
            console_problems(driver)  # the 403 just asked for is logged; read it away
            admin = "g.neri@comune.example.it"
            admin_password = site.cli(["users", "create", "--email", admin, "--name", "Giulia Neri",
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

            models_and_attachment(driver, site, failures, check)
            csrf_refused(driver, site, failures, check)
            throttled(driver, site, failures, check)
        finally:
            driver.quit()

    progress_reaches_done(args, failures)

    for f in failures:
        print("FAIL: " + f)
    print("%d failure(s); screenshots in %s" % (len(failures), args.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
