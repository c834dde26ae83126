"""A small Chrome DevTools Protocol client over Chromium's --remote-debugging-pipe (no websocket
library, no browser download): enough to fill forms, click, upload a file and take screenshots in
the course server's browser tests. No tests here."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.browser import BASE_FLAGS, find_chromium


class Browser:
    def __init__(self, profile: Path):
        chromium = find_chromium()
        assert chromium, "no chromium"
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        self.process = subprocess.Popen(
            [chromium, *BASE_FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}", "--window-size=1200,900",
             "--hide-scrollbars"], pass_fds=(3, 4), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=lambda: (os.dup2(to_browser_read, 3), os.dup2(from_browser_write, 4)))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next = 0

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def send(self, method: str, session: str | None = None, **params: object) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                assert "error" not in reply, (method, reply)
                return reply["result"]

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_browser, 1 << 20)
            assert chunk, "chromium closed its pipe"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(line)

    def tab(self) -> "Tab":
        """A tab in a fresh browser context: its own cookies, as another person's browser."""
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send("Target.createTarget", url="about:blank", browserContextId=context)["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        return Tab(self, session)


class Tab:
    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def send(self, method: str, **params: object) -> dict:
        return self.browser.send(method, self.session, **params)

    def js(self, expression: str) -> object:
        return self.send("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def wait(self, expression: str, timeout: float = 60) -> object:
        """Poll until `expression` is truthy in the page (navigations included)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.js(f"document.readyState === 'complete' && ({expression})")
            except AssertionError:  # the page changed under the evaluation
                value = None
            if value:
                return value
            assert time.monotonic() < deadline, f"timed out waiting for {expression}; page: {self.text()[:2000]}"
            time.sleep(0.2)

    def go(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait(f"location.href === {json.dumps(url)}")

    def text(self) -> str:
        try:
            return str(self.js("document.body ? document.body.innerText : ''"))
        except AssertionError:
            return ""

    def fill(self, selector: str, value: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    def click(self, selector: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def upload(self, selector: str, path: Path) -> None:
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.send("DOM.setFileInputFiles", nodeId=node, files=[str(path)])

    def screenshot(self, png: Path) -> None:
        height = self.js("document.documentElement.scrollHeight")
        self.send("Emulation.setDeviceMetricsOverride", width=1200, height=min(int(height or 900), 1800),
                  deviceScaleFactor=1, mobile=False)
        png.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.send("Network.getCookies")["cookies"]}
