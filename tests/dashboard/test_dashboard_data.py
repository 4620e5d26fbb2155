"""The leaders' dashboard without a browser: its figures on the demo archive, the page driven from
Python, escaping, the read-only archive and ``workbench serve``'s configuration."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.archive.schema import units
from workbench.archive.store import Archive
from workbench.cli import main
from workbench.dashboard import acting as flags_view
from workbench.dashboard import data as dd
from workbench.dashboard.fetch import fetch
from workbench.dashboard.serve import (
    CONFIG_DIR,
    NOTEBOOK,
    dashboard_url,
    kernel_environment,
    voila_argv,
)
from workbench.organisation import default_organisation

CITY, COUNTIES = "city", default_organisation().counties



@pytest.fixture(scope="module")
def data(demo_db) -> dd.DashboardData:
    return fetch(Archive(str(demo_db), read_only=True))


def test_default_scope_is_the_latest_completed_year_and_the_whole_city(data):
    assert dd.default_year(data.rounds) == 2020
    assert dd.year_options(data.rounds) == [2021, 2020, 2019, 2018]
    assert dd.area_options(data.rounds, default_organisation().areas) == [dd.ALL, CITY, *COUNTIES]


def test_headline_reproduces_the_source_totals(data, catalogue):
    h = dd.headline(data.results, catalogue, 2020, dd.ALL, data.extras)
    assert (h["total_matters"], h["total_city"], h["total_county"]) == (564, 86, 478)
    assert (h["first_year"], h["last_year"]) == (2018, 2020)
    assert h["matters"] == h["city_matters"] + h["county_matters"]
    year = data.results[(data.results["year"] == 2020) & (data.results["status"] == "complete")]
    assert h["matters"] == len(year)
    assert h["avg_pct"] == round(year["completion_pct"].mean(), 1)
    assert h["matters_under"] == int((year["completion_pct"] < 60).sum())
    assert h["late"] == int(data.results.loc[data.results["year"] == 2020, "late"].sum())


def test_each_year_has_its_own_numbers(data, catalogue):
    per_year = {y: dd.headline(data.results, catalogue, y)["matters"] for y in (2018, 2019, 2020)}
    assert sum(per_year.values()) == 564
    assert len(set(per_year.values())) > 1


def test_area_filter(data, catalogue):
    city = dd.headline(data.results, catalogue, 2020, CITY)
    assert city["county_matters"] == 0 and city["matters"] == city["city_matters"] > 0
    assert (city["total_city"], city["total_county"]) == (86, 0)
    county = dd.headline(data.results, catalogue, 2020, "370781")
    assert county["city_matters"] == 0 and county["matters"] > 0


def test_an_open_round_counts_its_unfinished_matters(data, catalogue):
    h = dd.headline(data.results, catalogue, 2021, CITY)
    assert h["unfinished"] > 0
    assert h["matters"] + h["unfinished"] == len(data.results[data.results["year"] == 2021])


def test_units_under_the_pass_mark(catalogue):
    results = _results([("U1", 50.0), ("U1", 80.0), ("U2", 55.0), ("U3", 95.0)])
    h = dd.headline(results, catalogue, 2020)
    assert (h["units"], h["units_under"], h["matters_under"]) == (3, 1, 2)  # U1 averages 65


def test_unit_ranking_and_its_two_ends(data, catalogue):
    scope = dd.in_scope(data.results, 2020)
    ranking = dd.unit_ranking(scope, catalogue)
    assert ranking["unit_id"].is_unique and ranking["unit_name"].notna().all()
    assert ranking["completion_pct"].is_monotonic_decreasing and ranking["rank"].iloc[0] == 1
    ends = dd.top_and_bottom(ranking, 10)
    assert len(ends) == 20 and ends.iloc[-1]["unit_id"] == ranking.iloc[-1]["unit_id"]
    assert len(dd.top_and_bottom(ranking.head(15), 10)) == 15


def test_county_ranking(data, catalogue):
    ranking = dd.county_ranking(dd.in_scope(data.results, 2019), catalogue)
    assert set(ranking["area"]) == set(COUNTIES)
    assert ranking["completion_pct"].is_monotonic_decreasing
    assert ranking["matters"].sum() == dd.headline(data.results, catalogue, 2019)["county_matters"]


def test_red_flags(data, catalogue):
    scope = dd.in_scope(data.results, 2020)
    flags = dd.red_flags(scope, catalogue, data.extras)
    poor = flags[flags["kind"] == "poor"]
    assert (poor["completion_pct"] < 60).all()
    under = scope[scope["completion_pct"] < 60]
    assert len(poor) == int((under["category"] == "establish").sum()) < len(under)  # establishment only
    # a matter's age is information, not a flag (issue 12): no "late" rows, the age rides along
    assert "late" not in set(flags["kind"]) and "late" not in dd.FLAG_KINDS and flags["late"].dtype == bool
    assert int(scope["late"].sum()) > int(flags["late"].sum())
    order = [dd.FLAG_KINDS.index(k) for k in flags["kind"]]
    assert order == sorted(order), "most serious first"
    assert flags["kind"].iloc[0] == "overdue_rectification"
    assert (flags["kind"] == "overdue_rectification").sum() == int(
        (data.extras["rectifications"].query("state == 'overdue'")["round_id"].isin(set(scope["round_id"]))).sum())
    missing = flags[flags["kind"] == "missing_filing"]
    assert missing["round_id"].tolist() == ["2020-370724"]  # 临朐县 never filed 2020
    assert (dd.red_flags(dd.in_scope(data.results, 2019), catalogue, data.extras)["kind"] == "suspension").any()
    unfinished = dd.red_flags(dd.in_scope(data.results, 2021), catalogue)
    assert (unfinished["kind"] == "unfinished").any()


def test_overdue_rectifications_are_flagged_and_counted(catalogue):
    results = _results([("U1", 50.0), ("U2", 90.0)])
    states = pd.DataFrame({"round_id": ["2020-city"] * 3, "matter_id": ["M0", "M1", "M1"],
                           "state": ["overdue", "passed", "open"], "indicator_id": ["EST-01"] * 3,
                           "deadline": [date(2020, 8, 31)] * 3, "problem": ["人员未到位", "", ""]})
    decisions = pd.DataFrame({
        "decision_id": [1, 2, 3, 4, 5], "round_id": ["2020-city"] * 5, "unit_id": ["U1", "U1", "U2", "U2", "U1"],
        "rule": ["proposal", "suspension", "suspension", "lift", "suspension"],
        "status": ["signed", "signed", "signed", "signed", "draft"],
        "decided_at": pd.to_datetime(["2020-09-30"] * 3 + ["2020-12-31", None]),
    })
    decisions["matter_id"], decisions["reason_text"] = None, "整改事项 #7(EST-01)逾期未整改"
    decisions["reasons"] = json.dumps({"as_of": "2020-09-30", "items": [
        {"item_id": 7, "indicator_id": "EST-01", "deadline": "2020-08-31", "done_on": None, "failing": False}]})
    filings = pd.DataFrame({"round_id": ["2020-city"], "status": ["missing"], "deadline": [date(2020, 6, 19)]})
    extras = {"rectifications": states, "decisions": decisions, "filings": filings}
    h = dd.headline(results, catalogue, 2020, extras=extras)
    assert (h["open_rectifications"], h["overdue_rectifications"]) == (2, 1)
    assert (h["proposals"], h["suspensions"], h["suspensions_draft"]) == (1, 1, 1)  # U2's was lifted
    flags = dd.red_flags(results, catalogue, extras)
    first = flags.iloc[0]
    assert first["kind"] == "overdue_rectification" and first["matter_id"] == "M0"
    assert "人员未到位" in first["detail"] and "2020-08-31" in first["detail"]
    # most serious first: overdue rectification, under 60%, suspension in force, missing filing
    assert flags["kind"].tolist() == ["overdue_rectification", "poor", "suspension", "missing_filing"]
    sus = flags.iloc[2]
    assert sus["unit_name"] == "单位U1" and "2020-09-30" in sus["detail"]  # U2's suspension was lifted
    assert flags.iloc[3]["detail"] == "2020-06-19"
    # in English the stored Chinese problem gives way to the indicator's English name
    en = dd.red_flags(results, catalogue, extras, "en")
    assert en.iloc[0]["detail"] == f"2020-08-31 · “{catalogue.name('EST-01', 'en')}” not rectified by the deadline"
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(en["detail"])), en["detail"].tolist()
    assert "open_rectifications" not in dd.headline(results, catalogue, 2020)  # no tables, no card


def test_trends_cover_completed_rounds_only(data, catalogue):
    trend = dd.trend_by_category(data.results)
    assert sorted(trend["year"].unique()) == [2018, 2019, 2020]
    assert set(trend["category"]) == set(catalogue.categories)
    shares = dd.poor_share_by_year(data.results, catalogue)
    assert shares["matters"].sum() == 564
    assert ((shares["poor_share"] >= 0) & (shares["poor_share"] <= 1)).all()


def test_county_panel(data, catalogue):
    panel = dd.county_panel(data.results, data.rounds, catalogue)
    assert len(panel) == 3 * len(COUNTIES) and CITY not in set(panel["area"])
    assert panel["matters"].sum() == 478
    summary = dd.county_summary(panel)
    assert summary["matters"].sum() == 478 and (summary["rounds"] == 3).all()
    filings = pd.DataFrame({"round_id": ["2018-370781"], "status": ["已报备"]})
    with_filing = dd.county_panel(data.results, data.rounds, catalogue, filings)
    assert with_filing.set_index("round_id").at["2018-370781", "filing"] == "已报备"


# --------------------------------------------------------------------------- the page from Python
@pytest.fixture(scope="module")
def page(demo_db, tmp_path_factory):
    from workbench.dashboard.view import Dashboard

    path = tmp_path_factory.mktemp("dash") / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    with Archive(str(path)).engine.begin() as conn:  # a hostile unit name, to check escaping
        conn.execute(units.update().where(units.c.unit_id == "C003")
                     .values(name='市财政局<script>alert("x")</script>&'))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    dash = Dashboard(Archive(str(path), read_only=True))
    yield dash
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the dashboard wrote to the archive"


def _card(dash, key: str) -> str:
    html = dash.cards.value
    start = html.index(f'data-key="{key}"')
    num = html.index('class="wb-num">', start) + len('class="wb-num">')
    return html[num:html.index("</div>", num)]


def test_page_opens_on_the_default_scope(page, data, catalogue):
    assert page.year.value == 2020 and page.area.value == dd.ALL and page.lang == "zh"
    h = dd.headline(data.results, catalogue, 2020, dd.ALL, data.extras)
    assert _card(page, "matters") == str(h["matters"]) and _card(page, "total") == "564"
    assert "市级 86 · 县级 478" in page.cards.value
    assert _card(page, "open_rectifications") == str(h["open_rectifications"])
    charts = [page.units_chart, page.trend_chart, page.poor_chart]
    assert all("<svg" in w.value and 'class="mark-rect' in w.value for w in charts)
    assert len(page.counties.buttons) == 12  # the counties as bars to click


def test_year_and_area_change_the_numbers(page, data, catalogue):
    page.year.value = 2019
    assert _card(page, "matters") == str(dd.headline(data.results, catalogue, 2019)["matters"])
    page.area.value = "370781"
    assert _card(page, "matters") == str(dd.headline(data.results, catalogue, 2019, "370781")["matters"])
    assert len(page.counties.buttons) == 12 and page.counties.buttons["370781"].description.endswith("青州市 ◀"), \
        "every county ranked, the chosen one marked"
    page.year.value, page.area.value = 2020, dd.ALL


def _all_flag_pages(page) -> str:
    """The red-flag table page by page, as a leader turns them."""
    seen = [page.flags.value]
    while not page.flag_pages.next.disabled:
        page.flag_pages.next.click()
        seen.append(page.flags.value)
    return "".join(seen)


def test_flags_list_what_to_act_on_and_show_the_age_as_a_column_and_a_filter(page):
    page.year.value = 2019  # the year with every kind of flag and more rows than a page
    try:
        html = _all_flag_pages(page)
        assert html.index("整改逾期") < html.index("设立事项低于") < html.index("县级未报备")  # most serious first
        assert "超期问效" in html and 'class="wb-kind wb-kind-late"' not in html  # a column, not a flag
        rows = html.count("<tr>") - html.count("<thead>")
        assert rows == len(page.flag_rows) > flags_view.PAGE_SIZE  # every row, over several pages
        ages = html.count("是(批复超过12个月)")
        assert 0 < ages < rows
        page.late_only.value = True
        assert len(page.flag_rows) == _all_flag_pages(page).count("是(批复超过12个月)") == ages
        page.late_only.value = False
        assert len(page.flag_rows) == rows and page.flag_pages.page == 0  # a new list starts on page 1
    finally:
        page.late_only.value, page.year.value = False, 2020


def test_flags_are_paged_not_scrolled(page):
    pages = page.flag_pages
    assert "wb-scroll" not in page.flags.value
    assert page.flags.value.count("<tr>") - 1 <= flags_view.PAGE_SIZE
    if pages.pages > 1:
        assert pages.prev.disabled and not pages.next.disabled and "第 1/" in pages.where.value
        pages.next.click()
        assert not pages.prev.disabled and f"第 2/{pages.pages} 页" in pages.where.value
        pages.prev.click()


def test_clicking_a_county_shows_its_units(page, data, catalogue):
    page.counties.buttons["370781"].click()
    try:
        assert page.area.value == "370781"
        units = dd.unit_ranking(dd.in_scope(data.results, 2020, "370781"), catalogue)
        assert all(name in page.units_chart.value for name in units["unit_name"].head(5))
        assert page.counties.buttons["370781"].description.endswith("◀")
        page.counties.buttons["370781"].click()  # the same county again: back to the whole city
        assert page.area.value == dd.ALL
    finally:
        page.area.value = dd.ALL


def test_what_the_evaluation_changed_beside_the_on_site_work(page):
    """The source's outcome (city units' section setup 5 → 3 months, 40% faster) and its on-site
    work (600+ documents, 300+ questions, 100+ facts checked, 50 opinions) on the leaders' page."""
    effect = page.effect.value
    assert "市级单位科室设置周期由 5 个月缩短为 3 个月,组建效率提升 40%" in effect
    assert 'data-chart="effect"' in effect and 'class="mark-rect' in effect  # months by year and category
    rows = re.findall(r"<tr>(.*?)</tr>", effect.split("<tbody>")[1])
    cells = [[c for c in re.findall(r'<td class="wb-n">(.*?)</td>', r)] for r in rows]
    assert [c[:3] for c in cells] == [["2018", "5.0", "6.0"], ["2019", "4.0", "5.0"], ["2020", "3.0", "4.0"]]
    documents, questions, facts, opinions = (sum(int(c[i]) for c in cells) for i in (4, 5, 6, 7))
    assert documents >= 600 and questions >= 300 and facts >= 100 and opinions == 50
    page.area.value = "370781"  # one county: its own figures, no city line
    try:
        assert "市级单位科室设置周期" not in page.effect.value and "<tbody><tr>" in page.effect.value
    finally:
        page.area.value = dd.ALL


def test_language_switch(page):
    page.language.value = "en"
    try:
        assert "Matters evaluated" in page.cards.value and "问效事项" not in page.cards.value
        assert dict(page.area.options)["Whole city (city level and counties)"] == dd.ALL
        assert "Units ranked" in page.units_chart.value and page.year.description == "Year"
    finally:
        page.language.value = "zh"
    assert "问效事项" in page.cards.value and page.year.value == 2020


def test_names_from_the_archive_are_escaped(page):
    page.year.value = 2018  # C003 (市财政局) is in the 2018 city round
    try:
        everything = "".join(w.value for w in (page.units_chart, page.flags, page.panel, page.cards))
        assert "<script>" not in everything
        page.area.value = CITY
        assert "&lt;script&gt;" in page.units_chart.value
    finally:
        page.year.value, page.area.value = 2020, dd.ALL


def test_a_failure_shows_a_sentence_not_a_traceback(page, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(dd, "headline", broken)
    page.render()
    assert "暂时无法显示" in page.status.value and "boom" not in page.status.value
    monkeypatch.undo()
    page.render()
    assert 'data-scope="2020|all|zh"' in page.status.value


def test_reload_rereads_the_archive(page):
    before = page.data.as_of
    page.reload.click()
    assert page.data.as_of >= before and "<svg" in page.units_chart.value


def test_dashboard_cannot_write(demo_db):
    archive = Archive(str(demo_db), read_only=True)
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        with archive.engine.begin() as conn:
            conn.execute(units.delete())


# --------------------------------------------------------------------------- workbench serve
def test_voila_configuration_is_locked_down():
    config = json.loads((CONFIG_DIR / "voila.json").read_text(encoding="utf-8"))
    vc = config["VoilaConfiguration"]
    assert vc["strip_sources"] is True and vc["show_tracebacks"] is False
    assert vc["file_allowlist"] == [] and vc["template"] == "workbench" and vc["preheat_kernel"] is True
    assert config["VoilaExecutor"]["timeout"] > 0
    assert config["MappingKernelManager"]["cull_idle_timeout"] > 0
    assert config["Voila"]["ip"] == "127.0.0.1" and config["Voila"]["port_retries"] == 0
    template = (CONFIG_DIR / "voila" / "templates" / "workbench" / "index.html.j2").read_text(encoding="utf-8")
    assert "https://" not in template


def test_notebook_is_thin():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 2 and "parameters" in code[0]["metadata"]["tags"]
    assert all(not c["outputs"] for c in code), "commit the notebook without outputs (nbstripout)"
    assert "show_dashboard(db, lang)" in "".join(code[1]["source"])


def test_serve_options():
    assert dashboard_url("127.0.0.1", 8866) == "http://127.0.0.1:8866/"
    assert dashboard_url("127.0.0.1", 9000, "s3cret") == "http://127.0.0.1:9000/?token=s3cret"
    argv = voila_argv("127.0.0.1", 9000, "s3cret")
    assert argv[0] == str(NOTEBOOK) and "--Voila.port=9000" in argv and "--Voila.token=s3cret" in argv
    env = kernel_environment("sqlite:////x/w.db", "en")
    assert env["WORKBENCH_DB"] == "sqlite:////x/w.db" and env["WORKBENCH_LANG"] == "en"
    assert env["JUPYTER_PATH"].split(":")[0] == str(CONFIG_DIR)


def test_serve_refuses_a_missing_archive(tmp_path, capsys):
    assert main(["serve", "--db", str(tmp_path / "nothing.db")]) == 2
    err = capsys.readouterr().err
    assert "nothing.db 不存在" in err and "workbench demo" in err and "Traceback" not in err  # and what to run


def _results(pairs: list[tuple[str, float]]) -> pd.DataFrame:
    """A one-round result table (2020 city) with the given unit × completion % rows."""
    return pd.DataFrame({
        "matter_id": [f"M{i}" for i in range(len(pairs))], "unit_id": [u for u, _ in pairs],
        "unit_name": [f"单位{u}" for u, _ in pairs], "category": "establish", "status": "complete",
        "completion_pct": [p for _, p in pairs], "band": None, "round_id": "2020-city", "year": 2020,
        "area": CITY, "round_status": "completed", "late": False, "level": "city", "county": None,
    })


def test_an_empty_archive_shows_no_data_on_each_backend(archive):
    from workbench.dashboard.view import Dashboard

    dash = Dashboard(Archive(archive.url, read_only=True))
    assert dash.year.options == () and _card(dash, "matters") == "0"
    assert "所选范围暂无评估结果" in dash.units_chart.value
    assert 'data-scope="None|all|zh"' in dash.status.value
