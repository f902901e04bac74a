#!/usr/bin/python3
"""The public pages in headless Chromium, as a phone (375 px) and a desktop
(1280 px) show them: each page is screenshotted under --out, checked by
axe-core (no serious or critical violation), and must leave nothing in
the browser's console (a style or script refused by the page's
Content-Security-Policy shows there). The A4 poster is also printed, to
PDF and to a PNG of its print layout, which must fit on one page.

Usage: public_pages_test.py --banditore BIN --axe axe.min.js --out DIR
Exit status 0 when every check passed; each failure is printed.
"""

import argparse
import base64
import datetime
import os
import re
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import (Banditore, axe_violations, chromium, console_problems,  # noqa: E402
                             full_page_png, set_width)

WIDTHS = [("phone", 375, True), ("desktop", 1280, False)]
SERIOUS = {"serious", "critical"}


def quiet_now():
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Rome"))
    minute = now.hour * 60 + now.minute

    def clock(m):
        m %= 1440
        return "%02d:%02d" % (m // 60, m % 60)
    return clock(minute - 60) + "-" + clock(minute + 120)


def map_png(width=1600, height=900):
    """A real PNG wider than any screen here (a road map's proportions):
    pale ground, a blue river across it, a red road closed down its middle.
    Written with zlib alone, as RFC 2083 describes the format."""
    import struct
    import zlib

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            if abs(x - width // 2) < 12:
                row += b"\xc0\x1c\x28"
            elif abs(y - height // 2 - (x - width // 2) // 8) < 20:
                row += b"\x2a\x6f\xc4"
            else:
                row += b"\xf2\xee\xe3"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def seed(site):
    """A town's archive: a long severe alert, a cancelled one and a title
    that tries to be HTML."""
    token = site.create_key("ufficio stampa", "alerts:send,alerts:read,stats:read")
    # One subscriber, so a minor alert waits for the end of the quiet hours
    # and its cancellation stops it (an alert to nobody is done at once).
    assert site.citizen_says("393331234567", "Attiva", "wamid.browser-test-1") == 200
    end = time.monotonic() + 30
    while site.api("GET", "/v1/stats", token)[1].get("subscribers", 0) < 1:
        assert time.monotonic() < end, "the subscriber was not recorded"
        time.sleep(0.1)
    admin = site.create_key("amministrazione", "audience:admin")
    status, _ = site.api("POST", "/v1/areas", admin, {"id": "voltana", "town": site.town, "name": "Voltana"})
    assert status == 201, status
    ids = {}
    for key, body in {
        "severe": {"category": "weather", "severity": "severe", "title": "Allerta arancione per piena del Senio",
                   "text": "Il fiume Senio è in piena.\n\nNon avvicinarti agli argini e non usare i sottopassi. "
                           "Segui gli aggiornamenti sul sito del Comune.",
                   "link": "https://www.comune.example.it/allerta"},
        "html": {"category": "roads", "severity": "moderate", "title": "Lavori in <via Roma> & dintorni",
                 "text": "Senso unico alternato fino a venerdì."},
        "cancelled": {"category": "water", "severity": "minor", "title": "Pulizia delle caditoie",
                      "text": "Divieto di sosta dalle 8 alle 12."},
    }.items():
        status, answer = site.api("POST", "/v1/alerts", token, body)
        assert status == 202, (status, answer)
        ids[key] = answer["id"]
    # An alert with an image: its page shows it, scaled to the screen.
    status, media = site.upload(token, map_png(), "image/png")
    assert status == 201, (status, media)
    status, answer = site.api("POST", "/v1/alerts", token, {
        "category": "roads", "severity": "severe", "title": "Deviazione per la chiusura del ponte",
        "text": "La mappa mostra il percorso alternativo.", "media": media["id"]})
    assert status == 202, (status, answer)
    ids["image"] = answer["id"]
    status, answer = site.api("POST", "/v1/alerts/%d/cancel" % ids["cancelled"], token)
    assert status == 200 and answer["state"] == "cancelled", (status, answer)
    return ids


def image_problems(driver, path, label):
    """The attachment's image has loaded whole (the bytes were served as
    uploaded, with a type the page's policy lets it show) and fits the
    text column."""
    found = driver.execute_script(
        "const i = document.querySelector('.attachment-image img');"
        "if (!i) return null;"
        "return {complete: i.complete, natural: i.naturalWidth, shown: i.getBoundingClientRect().width,"
        " column: i.closest('article').getBoundingClientRect().width, alt: i.alt};")
    if found is None:
        return ["%s at %s: no image on the page" % (path, label)]
    problems = []
    if not found["complete"] or found["natural"] != 1600:
        problems.append("%s at %s: the image did not load (%s)" % (path, label, found))
    if found["shown"] > found["column"] + 0.5 or found["shown"] < 100:
        problems.append("%s at %s: the image is %.0f px wide in a %.0f px column"
                        % (path, label, found["shown"], found["column"]))
    if found["alt"] != "Deviazione per la chiusura del ponte":
        problems.append("%s at %s: the image's alt text is %r" % (path, label, found["alt"]))
    return problems


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
    # Quiet hours from an hour ago to two hours ahead (Europe/Rome) hold
    # the minor alert, so its cancellation stops it.
    env = {"BANDITORE_TOWN": "Lugo", "BANDITORE_PUBLIC_NUMBER": "+39 0545 123456",
           "BANDITORE_QUIET_HOURS": quiet_now()}
    with Banditore(args.banditore, env) as site:
        site.town = "lugo"
        ids = seed(site)
        pages = {
            "home": "/",
            "archive": "/avvisi",
            "alert": "/avvisi/%d" % ids["severe"],
            "alert-html-title": "/avvisi/%d" % ids["html"],
            "alert-cancelled": "/avvisi/%d" % ids["cancelled"],
            "alert-image": "/avvisi/%d" % ids["image"],
            "poster": "/manifesto/" + site.town,
            "widget": "/widget",
            "cap": "/cap",
            "not-found": "/avvisi/999999",
        }
        driver = chromium()
        try:
            for label, width, mobile in WIDTHS:
                set_width(driver, width, mobile)
                for name, path in pages.items():
                    driver.get(site.base + path)
                    shot = os.path.join(args.out, "public-%s-%s.png" % (name, label))
                    full_page_png(driver, shot)
                    # The page's own 404 is expected where the page is one.
                    problems = [p for p in console_problems(driver)
                                if not (name == "not-found" and "status of 404" in p)]
                    if problems:
                        failures.append("%s at %s: the console says %s" % (path, label, problems))
                    if driver.execute_script("return document.documentElement.lang") != "it":
                        failures.append("%s: lang is not it" % path)
                    # Nothing wider than the screen on a phone.
                    scroll = driver.execute_script("return document.documentElement.scrollWidth")
                    if mobile and scroll > width:
                        failures.append("%s at %d px scrolls sideways (%d px wide)" % (path, width, scroll))
                    for v in axe_violations(driver, axe_source):
                        line = "%s at %s: axe %s (%s): %s %s" % (path, label, v["id"], v["impact"], v["help"],
                                                                 v["nodes"])
                        print(line)
                        if v["impact"] in SERIOUS:
                            failures.append(line)
                    if name == "alert-image":
                        failures += image_problems(driver, path, label)
                    if name in ("archive", "widget") and not driver.find_elements("css selector", "a.attachment-link"):
                        failures.append("%s at %s: no link to the image alert's attachment" % (path, label))
                    print("checked %s at %s -> %s" % (path, label, shot))

            # The HTML title stays text.
            driver.get(site.base + pages["alert-html-title"])
            if driver.find_element("tag name", "h1").text != "Lavori in <via Roma> & dintorni":
                failures.append("the title with <via Roma> is not shown as written")

            # The poster on paper: the print layout as an A4 PNG (96 dpi,
            # 794 x 1123 px) and as a PDF, which must be one page.
            driver.get(site.base + pages["poster"])
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": 794, "height": 1123, "deviceScaleFactor": 1, "mobile": False})
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            with open(os.path.join(args.out, "poster-a4-print.png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
            pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                                             "preferCSSPageSize": True, "printBackground": True})
            data = base64.b64decode(pdf["data"])
            with open(os.path.join(args.out, "poster-a4.pdf"), "wb") as f:
                f.write(data)
            pages_in_pdf = len(re.findall(rb"/Type\s*/Page[^s]", data))
            print("poster: %d page(s) in the PDF" % pages_in_pdf)
            if pages_in_pdf != 1:
                failures.append("the poster prints on %d pages, not one" % pages_in_pdf)
        finally:
            driver.quit()

    for f in failures:
        print("FAIL: " + f)
    print("%d failure(s); screenshots in %s" % (len(failures), args.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
