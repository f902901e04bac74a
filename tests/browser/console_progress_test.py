#!/usr/bin/python3
"""An alert's page in headless Chromium follows the alert while it goes
out, without reloading: twenty citizens join through wa-sim, the number
is paced at two messages a second (BANDITORE_WA_RATE), so the alert takes
about ten seconds; the page is opened while it is still going out, a
marker is set on `window`, and then the counts on the page must change
(console.js follows /console/alerts/{id}/events, Server-Sent Events), the
state must reach "concluso" with every message sent, and the marker must
still be there: the page the browser shows is the one that was opened.

Every wait is WebDriverWait on a condition, with a deadline.

Usage: console_progress_test.py --banditore BIN --wa-sim BIN --out DIR
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import os
import sys

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import Banditore, chromium, console_problems, full_page_png, set_width  # noqa: E402
from console_pages_test import WaSim, log_in, wait_for  # noqa: E402

CITIZENS = ["39333222%04d" % i for i in range(1, 21)]
RATE = 2  # messages a second: twenty take about ten seconds
STATES = ("queued", "sending", "sent", "delivered", "read", "failed", "cancelled")


def counts(driver):
    """The page's count cells, as numbers, by delivery state."""
    out = {}
    for state in STATES:
        cells = driver.find_elements("css selector", '[data-count="%s"]' % state)
        out[state] = int(cells[0].text) if cells else None
    return out


def run(args, failures):
    sim = WaSim(args.wa_sim)
    driver = chromium()
    try:
        sim.start(driver)
        env = {"BANDITORE_TOWN": "Lugo", "BANDITORE_CONSOLE_TOTP": "optional",
               "BANDITORE_WA_API_BASE": sim.base, "BANDITORE_WA_RATE": str(RATE)}
        with Banditore(args.banditore, env) as site:
            sim.call("POST", "/sim/config", {"webhook_url": site.base + "/webhook/whatsapp"})
            sim.call("POST", "/sim/citizens/messages",
                     {"messages": [{"from": c, "text": "Attiva"} for c in CITIZENS]})
            # Each has the confirmation on the phone: all are subscribed.
            wait_for(driver, lambda: all(sim.call("GET", "/sim/inbox/" + c)["messages"] for c in CITIZENS),
                     "the citizens got no confirmation from wa-sim", 120)
            token = site.create_key("ufficio stampa", "alerts:send,alerts:read")
            email = "g.neri@comune.example.it"
            password = site.cli(["users", "create", "--email", email, "--name", "Giulia Neri",
                                 "--role", "publisher"]).strip().splitlines()[-1]
            set_width(driver, 1280, False)
            log_in(driver, site, email, password)

            status, answer = site.api("POST", "/v1/alerts", token, {
                "category": "roads", "severity": "moderate", "title": "Chiusura di via Mazzini",
                "text": "Via Mazzini resta chiusa fino alle 20 per lavori."})
            if status != 202:
                failures.append("POST /v1/alerts answered %d: %s" % (status, answer))
                return
            driver.get(site.base + "/console/alerts/%d" % answer["id"])
            state = driver.find_element("css selector", "[data-progress=state_label]").text
            if state == "concluso" or not driver.execute_script("return !!document.querySelector('[data-events]')"):
                failures.append("the alert had already ended when its page opened (%r): pace it slower" % state)
                return
            driver.execute_script("window.bandMarker = 'same page';")
            first = counts(driver)
            print("opened while %r with counts %s" % (state, first))

            try:
                WebDriverWait(driver, 60, poll_frequency=0.1).until(lambda d: counts(d) != first)
            except TimeoutException:
                failures.append("the counts on the page never changed from %s" % first)
            moved = counts(driver)
            print("then the counts read %s" % moved)
            try:
                WebDriverWait(driver, 120, poll_frequency=0.2).until(
                    lambda d: d.find_element("css selector", "[data-progress=state_label]").text == "concluso")
            except TimeoutException:
                state = driver.find_element("css selector", "[data-progress=state_label]").text
                failures.append("the alert's page never said concluso (last: %r, counts %s)" % (state, counts(driver)))
            last = counts(driver)
            print("at the end the counts read %s" % last)
            if last["queued"] != 0 or last["sending"] != 0:
                failures.append("concluso with messages still queued or sending: %s" % last)
            if (last["sent"] or 0) + (last["delivered"] or 0) + (last["read"] or 0) != len(CITIZENS):
                failures.append("concluso with %s, not %d messages out" % (last, len(CITIZENS)))
            if driver.execute_script("return window.bandMarker") != "same page":
                failures.append("the alert's page was reloaded: the marker set on window is gone")
            note = driver.find_element("css selector", "[data-progress-note]").text
            if "Invio concluso" not in note:
                failures.append("the page did not say the sending ended (note %r)" % note)
            problems = console_problems(driver)
            if problems:
                failures.append("the browser's console says %s" % problems)
            shot = os.path.join(args.out, "console-alert-live-done-desktop.png")
            full_page_png(driver, shot)
            print("checked the live progress -> %s" % shot)
    finally:
        driver.quit()
        sim.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--banditore", required=True)
    ap.add_argument("--wa-sim", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    failures = []
    run(args, failures)
    for f in failures:
        print("FAIL: " + f)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
