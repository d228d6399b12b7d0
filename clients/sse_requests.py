"""Python's requests against the real jar's changes feed on SIGTERM.

A plain ``iter_lines()`` loop over the SSE stream must end cleanly (no exception: the stream ends with its
terminating chunk, not a reset connection) after a ``shutdown`` event, and a long-poll waiting at that
moment must get its answer. One line per check, "ok - ..." or "FAIL - ..."; exit status 1 when any failed.
Started by scripts/client-test.sh with JAVA (the java binary) and MICROSTORE_JAR in the environment.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

JAVA = os.environ.get("JAVA", "java")
JAR = os.environ.get("MICROSTORE_JAR", "target/microstore.jar")
WAIT = 30

failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok" if ok else "FAIL") + " - python requests: " + what + ("" if ok or not detail else " (" + detail + ")"),
          flush=True)
    if not ok:
        failures += 1


def start_server(data):
    """The jar on a free port with --data; returns (process, base URL) once it prints its start-up line."""
    process = subprocess.Popen(
        [JAVA, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", JAR, "--port", "0", "--data", data],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = {}

    def pump():
        for line in process.stdout:
            m = re.search(r"microstore listening on (http://[^ ]*)/ ", line)
            if m:
                found["base"] = m.group(1).replace("://0.0.0.0:", "://127.0.0.1:")
    threading.Thread(target=pump, daemon=True).start()
    deadline = time.time() + WAIT
    while "base" not in found:
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return process, found["base"]


def subscribers(base):
    metrics = requests.get(base + "/observe/metrics", timeout=WAIT).text
    m = re.search(r"(?m)^microstore_subscribers(?:\{[^}]*\})? (\S+)$", metrics)
    return int(float(m.group(1))) if m else -1


def follow(base, lines, outcome):
    """iter_lines() over the stream, as a plain client writes it: what ends the loop goes to outcome."""
    try:
        with requests.get(base + "/api/changes?since=0", headers={"Accept": "text/event-stream"},
                          stream=True, timeout=WAIT) as res:
            for line in res.iter_lines(decode_unicode=True):
                lines.append(line)
        outcome["ended"] = "cleanly"
    except Exception as e:  # what a reset connection does to such a loop
        outcome["ended"] = "with " + type(e).__name__ + ": " + str(e)


def long_poll(base, since, outcome):
    try:
        res = requests.get(base + "/api/changes?wait=60&since=" + str(since), timeout=WAIT * 2)
        outcome["status"] = res.status_code
        outcome["body"] = res.text
    except Exception as e:
        outcome["status"] = "none: " + type(e).__name__ + ": " + str(e)


def main():
    data = tempfile.mkdtemp(prefix="microstore-requests-")
    process = None
    try:
        process, base = start_server(data)
        put = requests.put(base + "/api/apps/py", json={"data": {"x": 1}}, timeout=WAIT)
        seq = int(put.headers["ETag"].strip('"'))
        lines, streamed = [], {}
        polled = {}
        reader = threading.Thread(target=follow, args=(base, lines, streamed))
        poller = threading.Thread(target=long_poll, args=(base, seq, polled))
        reader.start()
        poller.start()
        deadline = time.time() + WAIT
        while subscribers(base) < 2 or "id: " + str(seq) not in lines:
            if time.time() > deadline:
                raise RuntimeError("the stream and the long-poll did not both wait on the feed")
            time.sleep(0.05)
        check(any(re.fullmatch(r"retry: \d+", line) for line in lines[:2]),
              "the stream starts with retry:", repr(lines[:2]))
        process.terminate()  # SIGTERM
        status = process.wait(WAIT)
        reader.join(WAIT)
        poller.join(WAIT)
        check(status == 0, "SIGTERM: exit status 0", "status " + str(status))
        shutdown = "event: shutdown" in lines
        check(streamed.get("ended") == "cleanly" and shutdown,
              "iter_lines() ends cleanly on SIGTERM, after the shutdown event",
              "ended " + str(streamed.get("ended")) + ", lines " + repr(lines[-6:]))
        expected = {"results": [], "last_seq": seq}
        check(polled.get("status") == 200 and json.loads(polled.get("body", "null")) == expected,
              "a waiting long-poll is answered on SIGTERM (no changes, the current seq)",
              str(polled.get("status")) + " " + str(polled.get("body")))
    except Exception as e:
        check(False, "the test ran to its end", type(e).__name__ + ": " + str(e))
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(data, ignore_errors=True)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
