"""Keeps one headless Chromium on a page and reports what it shows, without reloading it.

Talks the DevTools protocol over --remote-debugging-pipe (file descriptors 3 and 4, one JSON
message per NUL), so it needs no WebSocket library: the standard library is enough.

    watch_page.py CHROMIUM URL OUT_DIR READY_JS DONE_JS TIMEOUT_S

Loads URL at 1280x800, waits until READY_JS is true, saves OUT_DIR/ready.png and ready.html,
prints `ready`, then waits until DONE_JS is true (the test changes the world meanwhile), saves
done.png and done.html, prints `done`; on TIMEOUT_S, saves timeout.png and .html and prints
`timeout waiting for PHASE`. Each line is flushed. The browser's profile is a temporary folder.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

chromium, url, out, ready_js, done_js, limit = sys.argv[1:7]
deadline = time.monotonic() + float(limit)
to_browser_r, to_browser_w = os.pipe()
from_browser_r, from_browser_w = os.pipe()


def remap():
    # The browser reads commands from fd 3 and writes answers to fd 4 (dup2's copies are
    # inherited; the pipes' own close on exec). Copied out of the way first: a pipe may already be
    # 3 or 4, and dup2 onto itself would keep it closing on exec.
    read, write = os.dup(to_browser_r), os.dup(from_browser_w)
    os.dup2(read, 3)
    os.dup2(write, 4)


profile = tempfile.mkdtemp(prefix="watch-page-")
os.makedirs(out, exist_ok=True)
browser = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--window-size=1280,800",
     "--hide-scrollbars", "--user-data-dir=" + profile, "about:blank"],
    close_fds=False, preexec_fn=remap, stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "chromium.log"), "w"))
os.close(to_browser_r)
os.close(from_browser_w)
buffered = b""
next_id = 0


def call(method, session=None, **params):
    global buffered, next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params}
    if session:
        message["sessionId"] = session
    os.write(to_browser_w, json.dumps(message).encode() + b"\0")
    while True:
        while b"\0" not in buffered:
            chunk = os.read(from_browser_r, 1 << 16)
            if not chunk:
                raise SystemExit("chromium closed its pipe")
            buffered += chunk
        raw, buffered = buffered.split(b"\0", 1)
        answer = json.loads(raw)
        if answer.get("id") == next_id:
            if "error" in answer:
                raise SystemExit(method + ": " + json.dumps(answer["error"]))
            return answer["result"]


def wait_for(session, expression):
    while time.monotonic() < deadline:
        result = call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        if result.get("result", {}).get("value") is True:
            return True
        time.sleep(0.1)
    return False


def save(session, name):
    shot = call("Page.captureScreenshot", session, format="png")
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    html = call("Runtime.evaluate", session, expression="document.documentElement.outerHTML", returnByValue=True)
    with open(os.path.join(out, name + ".html"), "w") as f:
        f.write(html["result"]["value"])


try:
    target = call("Target.createTarget", url=url)["targetId"]
    session = call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    for phase, expression in (("ready", ready_js), ("done", done_js)):
        if not wait_for(session, expression):
            save(session, "timeout")
            print("timeout waiting for " + phase, flush=True)
            break
        save(session, phase)
        print(phase, flush=True)
finally:
    browser.kill()
    browser.wait()
    shutil.rmtree(profile, ignore_errors=True)
