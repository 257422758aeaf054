"""A headless Chromium driven through the Chrome DevTools Protocol (CDP), for the report tests.

Only what the tests need: open a page, collect its console messages, uncaught exceptions
and network requests, evaluate JavaScript, and take screenshots. Uses Debian's chromium
and python3-websocket (both installed by scripts/deps.sh). No Selenium, no Node.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from typing import Any, Dict, List, Optional

import websocket  # Debian: python3-websocket (websocket-client)


def find_chromium() -> Optional[str]:
    given = os.environ.get("CPSF_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with a throw-away profile; use as a context manager."""

    def __init__(self, chromium: Optional[str] = None, timeout: float = 60.0):
        self.chromium = chromium or find_chromium()
        if not self.chromium:
            raise CdpError("no Chromium: apt-get install chromium (scripts/deps.sh does)")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="cpsf-cdp-")
        args = [self.chromium, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--remote-allow-origins=*", "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}", "--window-size=1200,900", "about:blank"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium will not start its sandbox as root
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while not (os.path.exists(port_file) and len(open(port_file).read().split("\n")) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise CdpError(f"{self.chromium} did not start (exit {self.process.poll()})")
            time.sleep(0.05)
        port, path = open(port_file).read().split("\n")[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout,
                                              suppress_origin=True)
        self.next_id = 0
        self.events: List[Dict[str, Any]] = []

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)

    def call(self, method: str, params: Optional[dict] = None, session: Optional[str] = None) -> dict:
        self.next_id += 1
        message: Dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)
        raise CdpError(f"{method}: no reply in {self.timeout} s")

    def new_page(self, width: int = 1200, height: int = 900) -> "Page":
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page


class Page:
    def __init__(self, browser: Browser, session: str):
        self.browser = browser
        self.session = session

    def call(self, method: str, params: Optional[dict] = None) -> dict:
        return self.browser.call(method, params, self.session)

    def own_events(self) -> List[dict]:
        return [e for e in self.browser.events if e.get("sessionId") == self.session]

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.1)
        raise CdpError(f"{expression!r} was not true within {timeout} s")

    def console_problems(self) -> List[str]:
        """Console errors and warnings, uncaught exceptions and browser log errors, as text."""
        found = []
        for e in self.own_events():
            method, params = e["method"], e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(params["type"] + ": " + " ".join(str(a.get("value", a.get("description", "")))
                                                              for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append("exception: " + str(details.get("exception", {}).get("description", details.get("text"))))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append("log: " + params["entry"].get("text", ""))
        return found

    def requests(self) -> List[str]:
        return [e["params"]["request"]["url"] for e in self.own_events() if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path: str, selector: Optional[str] = None) -> None:
        params: Dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if selector:
            box = self.evaluate(
                "(() => { const r = document.querySelector(%s).getBoundingClientRect();"
                " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()"
                % json.dumps(selector))
            params["clip"] = dict(box, scale=1)
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
