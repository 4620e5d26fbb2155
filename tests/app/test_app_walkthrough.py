"""A whole round in the officers' app, as an officer walks it: ``workbench app`` on a copy of the
demo archive, headless Chromium on a closed network, clicks, picks, downloads and uploads only.

One server, one page, the steps in sequence (each depends on the one before): create a county
round, save its scope, download the survey workbook and upload it back filled in (the unit's
part, done here with openpyxl as the unit would in Excel), verify the matter, score, issue the
feedback and open the downloaded letter, record a rectification and its re-check, close every
step, build and download the county's filing package, and receive it as the city. Screenshots
of each step go to docs/app-*.png (zh), then the finished round is shown again in English.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from browser_support import offline_page, running_app

from workbench.archive import Archive
from workbench.files import load_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
COUNTY, YEAR, DAY = "370781", 2021, "2021-04-20"
ROUND = f"{YEAR}-{COUNTY}"
MATTER = {"matter_id": "QZ-2020-901", "category": "establish", "approved_on": date(2020, 3, 16),
          "doc_no": "青编发〔2020〕9号", "summary": "设立青州市营商环境服务中心"}
FILLED = {"graded": "基本落实", "yes_no": "是", "ratio": 0.9}
SERVER_LOG: list[Path] = []  # the app server's log, quoted when a step fails



@pytest.fixture(scope="module")
def app_server(demo_db, tmp_path_factory):
    """``workbench app`` on a private copy of the demo archive with one new county matter (as
    the office's matter register would bring it) that falls in the 2021 county round's window."""
    folder = tmp_path_factory.mktemp("app")
    path = folder / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    # the counties' signing keys live beside the archive (the demo makes and registers them)
    shutil.copytree(demo_db.parent / "keys", folder / "keys")
    archive = Archive(str(path))
    units = archive.units()
    unit = units[units["county"] == COUNTY].iloc[0]
    archive.import_matters(pd.DataFrame([{**MATTER, "unit_id": unit["unit_id"]}]))
    archive.dispose()
    SERVER_LOG[:] = [folder / "app.log"]
    with running_app(path, folder) as url:
        yield {"url": url, "db": path, "folder": folder, "unit": unit}


def shot(page, name: str) -> None:
    """The whole app from the top: Voilà scrolls inside the page, so the window is made as tall as
    the app for the picture, then put back to 1366×768."""
    DOCS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)  # the status line follows a form's message by one widget update
    height = page.evaluate("document.querySelector('.wb-app').getBoundingClientRect().height")
    page.set_viewport_size({"width": 1366, "height": int(min(max(height + 120, 768), 2400))})
    page.evaluate("document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
    page.screenshot(path=str(DOCS / f"app-{name}.png"))
    page.set_viewport_size({"width": 1366, "height": 768})


def ok(page, text: str, timeout: int = 120_000) -> None:
    """Wait for a success line containing ``text``; fail with the error line if one shows, the
    messages on the page and the end of the server's log (where a kernel's traceback goes)."""
    try:
        page.locator(".wt-ok", has_text=text).last.wait_for(timeout=timeout)
    except Exception:
        errors = page.locator(".wt-err").all_inner_texts()
        shown = page.locator(".wt-ok").all_inner_texts()
        log = SERVER_LOG[0].read_text(errors="replace")[-4000:] if SERVER_LOG else ""
        raise AssertionError(f"no “{text}” on the page; errors shown: {errors}; messages: {shown}\n"
                             f"server log:\n{log}") from None


def nav(page, key: str, heading: str) -> None:
    page.locator(f".wb-nav-{key}").click()
    page.locator(".wb-page-status").first.wait_for()
    page.locator("h3", has_text=heading).first.wait_for(timeout=60_000)


def close_step(page, step: str) -> None:
    page.get_by_role("button", name=f"完成“{step}”").click()
    ok(page, f"“{step}”已完成")


def download(page, selector: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.locator(selector).last.click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def upload(page, path: Path) -> None:
    """Through the FileUpload button and the browser's file chooser, as a person picks a file."""
    with page.expect_file_chooser() as chooser:
        page.locator(".widget-upload").first.click()
    chooser.value.set_files(str(path))
    page.locator(".widget-upload", has_text="(1)").first.wait_for()


def fill_workbook(src: Path, dst: Path) -> None:
    """The unit's part: a result for every indicator row of the self-assessment sheet."""
    kinds = load_catalogue().indicators["kind"]
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[1]
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 7).value = FILLED[kinds[ws.cell(row, 3).value]]
    wb.save(dst)


def test_a_whole_round_in_the_officers_app(app_server):
    folder, unit = app_server["folder"], app_server["unit"]
    with offline_page() as (page, log):
        page.goto(app_server["url"], timeout=120_000)
        page.locator(".wb-nav-deploy").wait_for(timeout=120_000)
        assert page.locator(".jp-InputArea, .jp-CodeCell .CodeMirror, pre.cm-content").count() == 0  # no code

        # 部署安排: the day of the work, the county by name, a new round, its team
        page.locator(".wb-day input").fill(DAY)
        page.locator(".wb-area select").select_option(label="青州市")
        page.get_by_role("button", name="新建轮次").click()
        page.get_by_placeholder("成员姓名,以“、”分隔").fill("王建华、李明")
        shot(page, "01-create-zh")
        page.get_by_role("button", name="创建问效轮次").click()
        ok(page, f"已创建轮次 {ROUND}")
        page.locator(".wb-page-status", has_text="可以完成本步骤").wait_for()
        close_step(page, "部署安排")

        # 问效范围: the eligible matter is in; save
        nav(page, "scope", "问效范围")
        assert page.get_by_text("1 个问效事项").first.is_visible()
        page.get_by_role("button", name="保存问效范围").click()
        ok(page, "问效范围已保存:1 个事项")
        page.locator(".wb-page-status", has_text="已纳入 1 个问效事项").wait_for()  # the status follows
        shot(page, "02-scope-zh")

        # 调查摸底·自评自查: download the unit's workbook, fill it in, upload it back
        nav(page, "survey", "调查摸底·自评自查")
        page.get_by_role("button", name="导出本单位调查表").click()
        ok(page, "已导出 1 个文件")
        workbook = download(page, "a.wb-download", folder)
        assert workbook.suffix == ".xlsx"
        fill_workbook(workbook, folder / "filled.xlsx")
        upload(page, folder / "filled.xlsx")
        page.get_by_role("button", name="导入").click()
        ok(page, "filled.xlsx:已写入 8 条自评")
        shot(page, "03-survey-zh")
        close_step(page, "调查摸底")
        close_step(page, "自评自查")

        # 现场核查: the officer, a value for every indicator, save
        nav(page, "verify", "现场核查")
        page.locator(".wt-indicator-row").first.wait_for()
        assert page.locator("option", has_text=f"{unit['name']} · {MATTER['doc_no']} 设立").count() == 1  # not codes
        page.locator("select:visible").filter(has=page.locator("option", has_text="李明")).first.select_option("王建华")
        for select in page.locator(".wt-indicator-row .wt-graded select:visible").all():
            select.select_option("完全落实")
        for select in page.locator(".wt-indicator-row .wt-yes-no select:visible").all():
            select.select_option("是")
        for box in page.locator(".wt-indicator-row .wt-ratio input:visible").all():
            box.fill("0.95")
            box.press("Tab")
        page.locator(".wt-live", has_text="当前完成百分比").wait_for()
        page.locator("button.wt-save").click()
        ok(page, "已保存 8 条核查结果")
        shot(page, "04-verify-zh")
        close_step(page, "现场核查")

        # 综合评定: score and archive
        nav(page, "assess", "综合评定")
        page.get_by_role("button", name="评分并存档").click()
        ok(page, "已评分并存档")
        shot(page, "05-assess-zh")
        close_step(page, "综合评定")

        # 督促整改 before the letter: items proposed from the assessment, one confirmed — the
        # feedback letter sets out the items it requires
        nav(page, "followup", "情况反馈·督促整改·结果运用")
        page.get_by_role("tab", name="整改事项").click()
        page.get_by_role("button", name="从评定结果生成整改建议").click()
        ok(page, "未得满分的指标")
        page.locator("select[multiple]").select_option(index=0)
        page.get_by_role("button", name="确认所选整改事项").click()
        ok(page, "已确认 1 项整改事项")

        # 情况反馈: issue and seal; the letter comes down as .docx and names the item's matter by
        # its summary and 文号, a ratio as a percentage
        page.get_by_role("tab", name="情况反馈").click()
        page.get_by_role("button", name="发出情况反馈并封存结果").click()
        ok(page, "已生成 1 份反馈函")
        letter = download(page, "a.wb-download[download$='.docx']", folder)
        text = "\n".join(p.text for p in docx.Document(str(letter)).paragraphs)
        tables = "\n".join(c.text for t in docx.Document(str(letter)).tables for r in t.rows for c in r.cells)
        assert unit["name"] in text + tables
        assert f"“{MATTER['summary']}”({MATTER['doc_no']})" in text and "95%" in text, text
        assert MATTER["matter_id"] not in text
        shot(page, "06-feedback-zh")

        # 整改进度: the item done and re-checked
        page.get_by_role("tab", name="整改进度").click()
        item = page.locator(".fw-item-pick select")
        item.select_option(index=0)
        assert "到期" in item.locator("option").first.inner_text()  # unit · matter · indicator · due date
        page.get_by_role("button", name="登记整改完成").click()
        ok(page, "已登记整改完成")
        page.get_by_role("button", name="复查通过").click()
        ok(page, "已复查通过")
        # issuing again re-prints the sealed round's letter as issued (same 文号, same date)
        page.get_by_role("tab", name="情况反馈").click()
        page.get_by_role("button", name="发出情况反馈并封存结果").click()
        ok(page, "已生成 1 份反馈函")
        again = download(page, "a.wb-download[download$='.docx']", folder)
        assert "\n".join(p.text for p in docx.Document(str(again)).paragraphs) == text
        shot(page, "07-rectification-zh")
        close_step(page, "情况反馈")
        close_step(page, "督促整改")

        # 县级报备: the county builds and downloads its package ...
        nav(page, "filing", "县级报备")
        page.get_by_role("button", name="生成报备包").click()
        ok(page, f"{ROUND} 报备包已生成")
        package = download(page, "a.wb-download[download$='.zip']", folder)
        # ... and the city, in the same app, uploads and receives it
        page.locator(".wb-area select").select_option(label="潍坊市(市级)")
        page.get_by_role("button", name="打开轮次").click()
        page.locator(".wb-page-status", has_text="接收各县报备包").wait_for(timeout=60_000)
        upload(page, package)
        page.get_by_role("button", name="接收报备").click()
        ok(page, f"{ROUND}:已登记报备")
        shot(page, "08-filing-zh")

        # the finished county round, in English
        page.locator(".wb-area select").select_option(label="青州市")
        page.get_by_role("button", name="打开轮次").click()
        page.locator(".wb-lang button", has_text="English").click()
        page.locator(".wb-nav-deploy", has_text="Deployment").wait_for(timeout=60_000)
        for key, name, heading in (("deploy", "01-deploy", "Deployment"), ("survey", "03-survey", "Survey"),
                                   ("verify", "04-verify", "On-site verification"), ("assess", "05-assess", "Assessment"),
                                   ("followup", "06-followup", "Feedback"), ("filing", "08-filing", "County filing")):
            nav(page, key, heading)
            page.locator(".wb-page-status", has_text="done").first.wait_for(timeout=60_000)
            shot(page, f"{name}-en")
        assert log.blocked == [], log.blocked
        assert log.page_errors == [], log.page_errors

    archive = Archive(str(app_server["db"]), read_only=True)
    assert archive.get_round(ROUND)["status"] == "completed"
    received = archive.read("filings")
    assert ROUND in set(received["round_id"])
    assert set(archive.current_entries(ROUND, "verified")["entered_by"]) == {"王建华"}
