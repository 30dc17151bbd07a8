"""The `vidgist serve` page in a real browser: a real server (a subprocess, one worker) and
headless Chromium driven by Selenium. One upload of samples/scenes_sample.mp4 (speech off) is
shared by the tests, which run in order: the result page, both players, the plot, a new
length, the Chinese interface, a console without errors (nothing the CSP blocked); last, a
second server with --token and a page that passes it on.

Needs Debian's chromium and chromedriver (/usr/bin); skipped without them. Set
VIDGIST_SCREENSHOT=/path/result.png to keep a screenshot of the result page (and of its Chinese
version beside it, as result-zh.png).
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("selenium", reason="the browser tests need selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(f"the browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt install chromium chromium-driver)",
                allow_module_level=True)

sys.path.insert(0, str(Path(__file__).parent.parent))  # tests/server_process.py
from server_process import Server  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "scenes_sample.mp4"
CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- the server and the browser

def get_json(url: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return json.load(response)


@contextmanager
def running_server(data: Path, token: str | None = None):
    """`vidgist serve` on a free port, its jobs and analysis cache in data: yields its base URL."""
    server = Server(data, "--workers", "1", token=token)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("serve")) as base:
        yield base


def chrome(language: str) -> webdriver.Chrome:
    """Headless Debian Chromium with its own chromedriver (Selenium downloads nothing), its
    navigator.language set to language (headless Chromium takes it from the preference, not --lang)."""
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--autoplay-policy=no-user-gesture-required", "--window-size=1400,1000", f"--lang={language}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def driver():
    browser = chrome("en-US")
    yield browser
    browser.quit()


def upload_through_page(driver, page_url: str) -> str:
    """Upload the sample with the page's form (speech off), wait for its result page: the job's id."""
    driver.get(page_url)
    Select(driver.find_element(By.ID, "speech")).select_by_value("off")
    driver.find_element(By.ID, "file-input").send_keys(str(SAMPLE))
    driver.find_element(By.ID, "upload-button").click()
    try:
        WebDriverWait(driver, 180).until(
            lambda d: "#/jobs/" in d.current_url and d.find_element(By.ID, "result").is_displayed())
    except TimeoutException:
        shown = {i: driver.find_element(By.ID, i).text for i in ("upload-label", "analysis-label", "upload-error")}
        pytest.fail(f"the result page did not open within 180 s; the page shows {shown}")
    return driver.current_url.split("#/jobs/")[1]


@pytest.fixture(scope="module")
def job(server, driver):
    job_id = upload_through_page(driver, f"{server}/#/")
    return {"id": job_id, "api": f"{server}/api/jobs/{job_id}"}


def severe_errors(driver) -> list[dict]:
    """The console's errors since the last call (the page names no favicon, so none is missing)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


# ---------------------------------------------------------------- page helpers

def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def video_time(driver, video_id: str) -> float:
    return js(driver, "return document.getElementById(arguments[0]).currentTime", video_id)


def page_segments(driver) -> list[tuple[float, float]]:
    """The shaded segments of the plot, as the page drew them."""
    return [(float(r.get_attribute("data-start")), float(r.get_attribute("data-end")))
            for r in driver.find_elements(By.CSS_SELECTOR, "#importance-plot rect.segment")]


def total(segments) -> float:
    return sum(end - start for start, end in segments)


def wait_for_seek(driver, target: float) -> None:
    """The original's player is at target (it plays on from there: 1.5 s of slack)."""
    WebDriverWait(driver, 10).until(
        lambda d: not js(d, "return document.getElementById('source').seeking")
        and abs(video_time(d, "source") - target) < 1.5,
        message=f"the original did not seek to {target} s (at {video_time(driver, 'source')} s)")


def screenshot(driver, suffix: str = "") -> None:
    path = os.environ.get("VIDGIST_SCREENSHOT")
    if path:
        target = Path(path)
        driver.save_screenshot(str(target.with_name(f"{target.stem}{suffix}{target.suffix}")))


# ---------------------------------------------------------------- tests, in order

def test_upload_opens_the_result_page(driver, job):
    result = get_json(f"{job['api']}/result")
    assert driver.find_element(By.ID, "job-name").text == SAMPLE.name
    assert driver.find_element(By.ID, "job-status").get_attribute("data-i18n") == "status.done"
    assert page_segments(driver) == [(s["start"], s["end"]) for s in result["segments"]]
    tiles = driver.find_elements(By.CSS_SELECTOR, "#storyboard .keyframe img")
    assert len(tiles) == len(result["keyframes"]) > 0
    WebDriverWait(driver, 10).until(
        lambda d: all(js(d, "return arguments[0].complete && arguments[0].naturalWidth > 0", img) for img in tiles),
        message="the storyboard's images did not load")
    links = {a.get_attribute("href").split("?")[0].rsplit("/files/", 1)[1]
             for a in driver.find_elements(By.CSS_SELECTOR, "#downloads a")}
    assert links == {name for name in result["outputs"].values() if not name.endswith("/")}
    # speech was off: the transcript says so instead of listing lines
    assert driver.find_elements(By.CSS_SELECTOR, "#transcript li.empty")
    screenshot(driver)


def test_the_highlight_plays(driver, job):
    video = driver.find_element(By.ID, "highlight")
    assert "/files/summary.mp4" in video.get_attribute("src")
    assert js(driver, "const v = arguments[0]; v.muted = true; return v.play().then(() => true)", video)
    WebDriverWait(driver, 10).until(lambda d: video_time(d, "highlight") > 0.3,
                                    message="the highlight's currentTime did not advance")
    js(driver, "arguments[0].pause()", video)


def test_a_chapter_or_keyframe_click_seeks_the_original(driver, job):
    chapters = [c for c in driver.find_elements(By.CSS_SELECTOR, "#chapters li[data-start]")
                if float(c.get_attribute("data-start")) > 0]
    if chapters:  # click the chapter's time
        target, clickable = float(chapters[0].get_attribute("data-start")), chapters[0].find_element(By.CSS_SELECTOR, ".time")
    else:  # one chapter from 0: a storyboard tile past the first second instead
        tile = next(k for k in driver.find_elements(By.CSS_SELECTOR, "#storyboard .keyframe")
                    if float(k.get_attribute("data-start")) > 1)
        target, clickable = float(tile.get_attribute("data-start")), tile.find_element(By.TAG_NAME, "img")
    clickable.click()
    wait_for_seek(driver, target)
    js(driver, "document.getElementById('source').pause()")


def test_the_importance_plot(driver, job):
    points = driver.find_element(By.CSS_SELECTOR, "#importance-plot polyline.curve").get_attribute("points").split()
    assert len(points) >= 10
    segments = driver.find_elements(By.CSS_SELECTOR, "#importance-plot rect.segment")
    assert len(segments) >= 1
    labels = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#importance-plot text.label")]
    assert "0" in labels and "10" in labels  # the time axis, in seconds
    # a click in a shaded segment plays the original from that moment, and the playhead follows
    rect = segments[-1]
    start, end = float(rect.get_attribute("data-start")), float(rect.get_attribute("data-end"))
    ActionChains(driver).move_to_element(rect).click().perform()  # the curve may lie on top: it passes the click on
    wait_for_seek(driver, (start + end) / 2)
    js(driver, "document.getElementById('source').pause()")
    x, width = float(rect.get_attribute("x")), float(rect.get_attribute("width"))
    WebDriverWait(driver, 5).until(
        lambda d: abs(float(d.find_element(By.ID, "playhead").get_attribute("x1"))
                      - (x + (video_time(d, "source") - start) / (end - start) * width)) < 2,
        message="the playhead is not at the original's time")


def test_the_length_slider_reselects(driver, job):
    before = get_json(f"{job['api']}/result")
    old_total = total((s["start"], s["end"]) for s in before["segments"])
    old_src = driver.find_element(By.ID, "highlight").get_attribute("src")
    slider = driver.find_element(By.ID, "length")
    ratio = 0.4 if float(slider.get_attribute("value")) < 0.3 else 0.1
    js(driver, "const s = arguments[0]; s.value = arguments[1];"
               "s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'))", slider, str(ratio))
    WebDriverWait(driver, 120).until(lambda d: abs(total(page_segments(d)) - old_total) > 0.5,
                                     message="the page did not show a new selection")
    after = get_json(f"{job['api']}/result")
    new_total = total((s["start"], s["end"]) for s in after["segments"])
    assert page_segments(driver) == [(s["start"], s["end"]) for s in after["segments"]]
    assert (new_total > old_total) == (ratio > 0.3)
    assert after["budget_requested"] == pytest.approx(ratio * after["source"]["duration"], rel=0.01)
    assert driver.find_element(By.ID, "highlight").get_attribute("src") != old_src  # reloaded
    assert driver.find_element(By.ID, "reselect-status").get_attribute("data-i18n") == "updated"
    assert driver.find_element(By.ID, "length").is_enabled()


def test_the_chinese_interface(driver, job):
    heading = driver.find_element(By.ID, "upload-heading")
    driver.find_element(By.ID, "lang-switch").click()
    assert js(driver, "return document.documentElement.lang") == "zh"
    assert heading.get_attribute("textContent") == "上传视频"
    for h2 in driver.find_elements(By.CSS_SELECTOR, "#result h2"):
        assert CJK.search(h2.text), h2.text
    assert CJK.search(driver.find_element(By.ID, "job-info").text)
    screenshot(driver, "-zh")
    driver.refresh()  # the choice is remembered
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "result").is_displayed())
    assert js(driver, "return document.documentElement.lang") == "zh"
    driver.find_element(By.ID, "lang-switch").click()
    assert js(driver, "return document.documentElement.lang") == "en"
    assert driver.find_element(By.ID, "upload-heading").get_attribute("textContent") == "Upload a video"


def test_a_chinese_browser_gets_chinese(server, job):
    browser = chrome("zh-CN")
    try:
        browser.get(f"{server}/#/")
        WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "jobs-body").find_elements(By.TAG_NAME, "tr"))
        assert js(browser, "return document.documentElement.lang") == "zh"
        assert browser.find_element(By.ID, "upload-heading").text == "上传视频"
        assert browser.find_element(By.CSS_SELECTOR, "#jobs-body .badge").text == "已完成"
    finally:
        browser.quit()


def test_no_errors_in_the_console(driver, job):
    """Every message the page logged since the browser started: no error, so nothing (script,
    style, media, image) was refused by the Content-Security-Policy either."""
    assert severe_errors(driver) == []


def test_a_token_rides_on_every_request(tmp_path_factory):
    """With `serve --token`, a page opened with ?token= keeps it: its fetches and upload send it
    as a header, its videos, images and links as ?token=, and it stays for the session."""
    token = "t0ken-for-the-test"
    with running_server(tmp_path_factory.mktemp("serve-token"), token) as base:
        with pytest.raises(urllib.error.HTTPError) as refused:
            get_json(f"{base}/api/jobs")
        assert refused.value.code == 401
        browser = chrome("en-US")
        try:
            job_id = upload_through_page(browser, f"{base}/?token={token}#/")
            api = f"{base}/api/jobs/{job_id}"
            assert get_json(f"{api}/result", token)["segments"]
            images = browser.find_elements(By.CSS_SELECTOR, "#storyboard img")
            assert images and all(f"token={token}" in img.get_attribute("src") for img in images)
            WebDriverWait(browser, 10).until(
                lambda d: all(js(d, "return arguments[0].naturalWidth > 0", img) for img in images)
                and js(d, "return ['highlight', 'source'].every(id => document.getElementById(id).readyState >= 1)"),
                message="the storyboard or a player did not load with the token")
            link = browser.find_element(By.CSS_SELECTOR, "#downloads a[href*='summary.json']").get_attribute("href")
            assert get_json(link)["segments"]  # a download link works on its own
            browser.get(f"{base}/#/")  # the token is no longer in the URL, but kept for the session
            WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#jobs-body tr"))
            assert not browser.find_element(By.ID, "jobs-error").is_displayed()
            assert severe_errors(browser) == []
        finally:
            browser.quit()
