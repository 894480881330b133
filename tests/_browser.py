"""Drive headless Chromium over the DevTools protocol, stdlib only.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol
messages (JSON, each ended by a NUL byte) on file descriptor 3 and writes on
descriptor 4. No port, no websocket, no third-party package.

The page is opened with the network emulated offline and DNS disabled; every
request the page makes is recorded, so a test can assert nothing left the
machine, and console errors, uncaught exceptions and JavaScript dialogs
(``alert``) are collected.

Examples
--------
>>> with Browser() as b:  # doctest: +SKIP
...     page = b.open(Path("map.html"))
...     page.evaluate("document.title")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
)

#: URL schemes a self-contained page may request.
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome-error:")


class BrowserError(RuntimeError):
    """Chromium died, timed out, or answered a command with an error."""


@dataclass
class Page:
    """One tab, attached with a flat DevTools session."""

    browser: Browser
    session: str
    target: str = ""
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 30) -> Any:
        """Send a command to this tab and return its result."""
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        """Evaluate a JavaScript expression (promises awaited) and return its value."""
        res = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression[:80]!r} threw: {_describe(res['exceptionDetails'])}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression!r}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the viewport to ``path`` (the tab is brought to the front first:
        Chromium does not paint background tabs)."""
        self.send("Page.bringToFront")
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close this tab."""
        if self.target:
            self.browser.send("Target.closeTarget", {"targetId": self.target})
            self.browser._pages.pop(self.session, None)

    def remote_requests(self) -> list[str]:
        """Requests to anything but local schemes (should be empty offline)."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


def _describe(details: dict[str, Any]) -> str:
    exc = details.get("exception") or {}
    return str(exc.get("description") or details.get("text") or details)


class Browser:
    """A headless Chromium process driven through ``--remote-debugging-pipe``.

    Parameters
    ----------
    executable
        Chromium binary (default ``$CHROMIUM`` or ``/usr/bin/chromium``).
    width, height
        Viewport size of pages opened with :meth:`open`.
    """

    def __init__(self, executable: str = CHROMIUM, *, width: int = 1400, height: int = 900):
        self.executable = executable
        self.width, self.height = width, height
        self._next_id = 0
        self._buffer = b""
        self._pending: list[dict[str, Any]] = []
        self._pages: dict[str, Page] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._to_child = self._from_child = -1
        self._log: BinaryIO | None = None
        self._profile: str | None = None

    # -- process --------------------------------------------------------------
    def __enter__(self) -> Browser:
        if shutil.which(self.executable) is None:
            raise BrowserError(f"{self.executable} not found")
        self._profile = tempfile.mkdtemp(prefix="zoning-chromium-")
        self._log = open(Path(self._profile) / "stderr.log", "wb")
        try:
            self._spawn()
            self.send("Browser.getVersion", timeout=30)
        except BaseException:
            self.close()
            raise
        return self

    def _spawn(self) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # move the child's ends above 9 so "3<&N 4>&M" below cannot clobber them
        for_child = [
            fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_child_r, from_child_w)
        ]
        os.close(to_child_r)
        os.close(from_child_w)
        to_child_r, from_child_w = for_child
        # the shell puts our pipe ends on fds 3 and 4, where Chromium expects them
        r, w = to_child_r, from_child_w
        script = f'exec "$0" "$@" 3<&{r} 4>&{w} {r}<&- {w}>&-'
        cmd = [
            "/bin/bash",  # dash cannot redirect fds above 9
            "-c",
            script,
            self.executable,
            *FLAGS,
            f"--user-data-dir={self._profile}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        self._proc = subprocess.Popen(
            cmd,
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        os.close(to_child_r)
        os.close(from_child_w)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close Chromium and remove its temporary profile."""
        if self._proc is not None:
            try:
                self._write({"id": self._new_id(), "method": "Browser.close"})
                self._proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait(timeout=10)
            self._proc = None
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                os.close(fd)
        self._to_child = self._from_child = -1
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    @property
    def version(self) -> str:
        """Chromium's product string, e.g. ``Chrome/156.0.0.0``."""
        return str(self.send("Browser.getVersion")["product"])

    # -- protocol -------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_child, data) :]

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for Chromium")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited: {self._stderr_tail()}")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _stderr_tail(self) -> str:
        if self._profile is None:
            return ""
        log = Path(self._profile) / "stderr.log"
        return log.read_bytes()[-2000:].decode(errors="replace") if log.is_file() else ""

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30,
    ) -> Any:
        """Send a command and wait for its answer, recording events meanwhile."""
        mid = self._new_id()
        message: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write(message)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == mid:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._on_event(reply)

    def pump(self, seconds: float) -> None:
        """Process events for a while (lets the page run and log)."""
        self.send("Browser.getVersion")  # flush what is queued
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self._from_child], [], [], end - time.monotonic())
            if ready:
                self._on_event(self._read(time.monotonic() + 5))

    def _on_event(self, event: dict[str, Any]) -> None:
        page = self._pages.get(event.get("sessionId", ""))
        if page is None:
            return
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
        elif method == "Runtime.exceptionThrown":
            page.errors.append("exception: " + _describe(params["exceptionDetails"]))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            page.errors.append("console.error: " + text)
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            page.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.javascriptDialogOpening":
            page.dialogs.append(f"{params.get('type')}: {params.get('message')}")
            self._write(
                {
                    "id": self._new_id(),
                    "method": "Page.handleJavaScriptDialog",
                    "params": {"accept": True},
                    "sessionId": page.session,
                }
            )

    # -- pages ----------------------------------------------------------------
    def open(self, html: Path, *, settle: float = 0.5, timeout: float = 30) -> Page:
        """Open a local file in a new offline tab and wait until it has loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session, target)
        self._pages[session] = page
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            page.send(method)
        page.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
        )
        page.send("Page.navigate", {"url": html.resolve().as_uri()})
        page.wait_for("document.readyState === 'complete'", timeout=timeout)
        self.pump(settle)
        return page
