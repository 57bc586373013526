"""End to end in a real browser: headless Chromium against ``silolake portal``.

The portal runs as the command a silo owner types (a subprocess, stopped with Ctrl-C
at the end). Chromium (Debian ``chromium`` + ``chromium-driver``, installed by
``scripts/dev.py setup``) clicks through: staff create a credential on the admin page,
where only the flows of the silo's web channel are offered; the partner signs in on the
upload page, sees only that flow with its format and columns, uploads a three-part file
to ``<partner>/<flow>/<file>`` and a file with the wrong header; the portal's landing (the
real function) moves the first into raw and quarantines the second, and the page shows
both decisions, the reason included. Staff revoke, and the partner's next sign-in fails.
Screenshots of both pages go to ``test-artifacts/partner/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.conftest import EXAMPLE, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("SILOLAKE_ARTIFACTS", REPO / "test-artifacts")) / "partner"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
PART = 5 * 1024 * 1024
USERNAME = "reseller-one"
#: The sales silo's only web-upload flow (its other flows arrive by SFTP and API).
FLOW, COLUMNS = "price_lists", ("sku", "list_price", "valid_from")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="chromium/chromium-driver missing: run `python3 scripts/dev.py setup` as root (it apt-installs them)",
    ),
]


@pytest.fixture(scope="module")
def portal() -> Iterator[dict[str, str]]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "silolake", "portal", str(EXAMPLE), "--silo", "sales", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    urls: dict[str, str] = {}
    deadline = time.monotonic() + 240
    while len(urls) < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        for label, key in (("Partner upload page:", "pages"), ("Admin page:", "admin"), ("Local AWS (moto):", "aws")):
            if line.startswith(label):
                urls[key] = line.split()[len(label.split())]
    assert len(urls) == 3, f"portal did not print its URLs: {urls}"
    yield urls
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "Stopping." in rest


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def wait_for(driver, condition, timeout: float = 90):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def visible_text(driver, element_id: str) -> str:
    return driver.find_element("id", element_id).text


def sign_in_partner(driver, url: str, password: str) -> None:
    driver.get(url)
    wait_for(driver, lambda d: d.find_element("id", "username").is_displayed())
    driver.find_element("id", "username").send_keys(USERNAME)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("id", "sign-in-button").click()


def test_partner_flow_in_a_real_browser(portal: dict[str, str], browser, tmp_path: Path) -> None:
    driver = browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    # Staff: local stand-in sign-in, then create a web-upload credential.
    driver.get(portal["admin"])
    wait_for(driver, lambda d: d.find_element("id", "local-sign-in").is_displayed())
    assert "Local stand-in for Cognito" in driver.page_source
    driver.find_element("id", "local-email").send_keys("alice@acme.example")
    driver.find_element("css selector", "#local-sign-in button").click()
    wait_for(driver, lambda d: d.find_element("id", "create").is_displayed())
    wait_for(driver, lambda d: d.find_elements("css selector", "#new-flows label"))
    offered = [label.text for label in driver.find_elements("css selector", "#new-flows label") if label.is_displayed()]
    assert offered == [f"{FLOW} (upload)"], "only the flows of the channels offered, all ticked"
    driver.find_element("id", "new-username").send_keys(USERNAME)
    driver.find_element("id", "create-button").click()
    wait_for(driver, lambda d: d.find_element("id", "secret").is_displayed())
    password = visible_text(driver, "secret-password")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", password), "a generated password is shown once"
    wait_for(driver, lambda d: USERNAME in visible_text(d, "credentials"))
    row = driver.find_element("css selector", f'tr[data-username="{USERNAME}"]').text
    assert FLOW in row and "reseller_reports" not in row
    driver.save_screenshot(str(ARTIFACTS / "admin-page.png"))

    # Partner: sign in, see the one flow it may send with its format and columns, upload a
    # good file of three parts (5 + 5 + 1 MiB) and one whose header is wrong.
    header = ",".join(COLUMNS) + "\n"
    row_text = "SKU-0001,12.50,2026-05-01\n"
    data = (header + row_text * ((2 * PART + 1024 * 1024) // len(row_text) + 1)).encode()
    assert len(data) > 2 * PART
    good = tmp_path / "reseller report 2026-05.csv"
    good.write_bytes(data)
    bad = tmp_path / "old prices.csv"
    bad.write_bytes(b"sku,price\nSKU-0001,12.50\n")
    sign_in_partner(driver, portal["pages"], password)
    wait_for(driver, lambda d: d.find_element("id", "upload").is_displayed())
    options = [o.text for o in driver.find_elements("css selector", "#flow option")]
    assert options == [FLOW], "only the flows of the upload channel the credential allows"
    assert visible_text(driver, "target").endswith(f"/{USERNAME}/{FLOW}/")
    assert visible_text(driver, "flow-help") == f"Expected: CSV files, columns in this order: {', '.join(COLUMNS)}."
    for upload in (good, bad):
        driver.find_element("id", "file").send_keys(str(upload))
        driver.find_element("id", "upload-button").click()
        wait_for(
            driver,
            lambda d, name=upload.name: (
                f"Uploaded {name}." == visible_text(d, "message") or "failed" in visible_text(d, "message")
            ),
            180,
        )
        assert visible_text(driver, "message") == f"Uploaded {upload.name}."
        if upload is good:
            assert "3 parts uploaded" in visible_text(driver, "log")
            assert driver.find_element("id", "progress").get_attribute("value") == "100"

    # What landing decided, as the partner sees it.
    wait_for(driver, lambda d: "waiting" not in visible_text(d, "statuses"), 120)
    reason = f"CSV header 'sku,price' does not match the flow's columns '{','.join(COLUMNS)}'"
    assert visible_text(driver, "statuses").splitlines() == [
        f"{bad.name}: quarantined: {reason}",
        f"{good.name}: accepted into raw.",
    ]
    driver.save_screenshot(str(ARTIFACTS / "upload-page.png"))

    s3 = boto3.client(
        "s3",
        endpoint_url=portal["aws"],
        region_name="eu-west-1",
        aws_access_key_id="portal",
        aws_secret_access_key="portal",
    )
    buckets = {b["Name"].split("-")[2]: b["Name"] for b in s3.list_buckets()["Buckets"]}

    def keys(zone: str) -> list[str]:
        return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=buckets[zone]).get("Contents", []))

    good_key, bad_key = f"{USERNAME}/{FLOW}/reseller_report_2026-05.csv", f"{USERNAME}/{FLOW}/old_prices.csv"
    assert keys("dropzone") == [f"_quarantine/{bad_key}", f"_status/{bad_key}.json", f"_status/{good_key}.json"]
    [landed] = keys("raw")
    assert re.fullmatch(rf"{FLOW}/ingest_date=\d{{4}}-\d{{2}}-\d{{2}}/{USERNAME}__reseller_report_2026-05.csv", landed)
    assert s3.get_object(Bucket=buckets["raw"], Key=landed)["Body"].read() == data

    # Staff revoke; the partner's next sign-in is refused.
    driver.get(portal["admin"])
    wait_for(driver, lambda d: USERNAME in visible_text(d, "credentials"))
    driver.find_element("css selector", f'tr[data-username="{USERNAME}"] button.revoke').click()
    driver.switch_to.alert.accept()
    wait_for(driver, lambda d: f"Revoked {USERNAME}." in visible_text(d, "message"))
    sign_in_partner(driver, portal["pages"], password)
    wait_for(driver, lambda d: "Sign-in failed" in visible_text(d, "message"))
    assert visible_text(driver, "message") == "Sign-in failed: invalid credentials"
    assert not driver.find_element("id", "upload").is_displayed()
