"""What a browser test of banditore's pages needs: the real binary serving
from a temporary folder, headless Chromium driven by Selenium, full-page
screenshots at a given width, and axe-core's accessibility check.

The public pages' test uses it; a test of the staff console (/console/)
uses the same pieces: start a Banditore, open a browser, visit, check.
Run with Debian's /usr/bin/python3 (python3-selenium); chromedriver is
/usr/bin/chromedriver (chromium-driver).
"""

import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


class Banditore:
    """`banditore serve` on a free loopback port, its database and key file
    in a temporary folder. WhatsApp is pointed at a closed port: pages need
    no provider, and nothing is sent without subscribers."""

    def __init__(self, binary, env=None):
        self.binary = binary
        self.dir = tempfile.TemporaryDirectory(prefix="banditore-browser-")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir.name,
            "BANDITORE_LISTEN": "127.0.0.1:0",
            "BANDITORE_DB": os.path.join(self.dir.name, "banditore.db"),
            "BANDITORE_KEY_FILE": os.path.join(self.dir.name, "banditore.key"),
            "BANDITORE_WA_API_BASE": "http://127.0.0.1:9",
            "BANDITORE_WA_PHONE_NUMBER_ID": "100000000000001",
            "BANDITORE_WA_TOKEN": "browser-test-token",
            "BANDITORE_WA_APP_SECRET": "browser-test-secret",
            "BANDITORE_WA_VERIFY_TOKEN": "browser-test-verify",
        }
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"):
            if name in os.environ:
                self.env[name] = os.environ[name]
        self.env.update(env or {})
        self.log_path = os.path.join(self.dir.name, "serve.log")
        self.process = None
        self.base = None

    def start(self, deadline=60):
        # The migrations and the key file are made by `migrate` first, so
        # the server's start is only the binding of its port.
        self.cli(["migrate"])
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("banditore serve exited: " + self.log())
            for line in self.log().splitlines():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "server.listening":
                    self.base = "http://127.0.0.1:%d" % event["port"]
                    return self
            time.sleep(0.05)
        raise RuntimeError("banditore serve did not listen within %d s: %s" % (deadline, self.log()))

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.dir.cleanup()

    def cli(self, args):
        r = subprocess.run([self.binary] + args, env=self.env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("banditore %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
        return r.stdout

    def create_key(self, name, scopes):
        return self.cli(["keys", "create", "--name", name, "--scopes", scopes]).strip().splitlines()[-1]

    def api(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def upload(self, token, data, content_type, query=""):
        """POST /v1/media: a file's bytes as they are; the answer, parsed."""
        req = urllib.request.Request(self.base + "/v1/media" + query, data=data, method="POST")
        req.add_header("Authorization", "Bearer " + token)
        req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def citizen_says(self, wa_id, text, message_id):
        """A text from a citizen, as Meta's webhook posts it, signed with
        the app secret (X-Hub-Signature-256)."""
        import hashlib
        import hmac
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550783881",
                             "phone_number_id": self.env["BANDITORE_WA_PHONE_NUMBER_ID"]},
                "contacts": [{"profile": {"name": "Browser"}, "wa_id": wa_id}],
                "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())),
                              "type": "text", "text": {"body": text}}]}}]}]}).encode()
        signature = hmac.new(self.env["BANDITORE_WA_APP_SECRET"].encode(), body, hashlib.sha256).hexdigest()
        req = urllib.request.Request(self.base + "/webhook/whatsapp", data=body, method="POST")
        req.add_header("Content-Type", "application/json")
        req.add_header("X-Hub-Signature-256", "sha256=" + signature)
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def chromium():
    """Headless Chromium with the browser's console kept for the test."""
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=it-IT"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def set_width(driver, width, mobile):
    """The viewport of a phone (375 px, touch, mobile) or a desktop."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile})


def full_page_png(driver, path):
    """The whole page, beyond the viewport, as PNG."""
    import base64
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))


def axe_violations(driver, axe_source, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")):
    """axe-core run on the page as it is; its violations, each with id,
    impact, help and up to five of the nodes at fault. The script goes in
    through WebDriver, which a page's Content-Security-Policy does not
    govern."""
    driver.execute_script(axe_source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
          .catch(e => done({error: String(e)}));
    """, list(tags))
    if isinstance(result, dict) and "error" in result:
        raise RuntimeError("axe-core failed: " + result["error"])
    return result


def console_problems(driver):
    """Errors in the browser's console: a resource refused, a policy
    violated, a script error."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
