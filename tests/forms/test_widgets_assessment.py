"""Comprehensive assessment: comparison tables, the view in both languages, and evidence files."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.archive import evidence, seals
from workbench.errors import WorkbenchError
from workbench.forms.assessment import AssessmentView
from workbench.rounds import assessment as A
from workbench.scoring import INFLATION_THRESHOLD
from workbench.views.charts import year_comparison_chart
from workbench.views.html import html_table


@pytest.fixture(scope="module")
def county(demo_db, catalogue):
    from workbench.archive.store import Archive

    return A.assess_round(Archive(str(demo_db), read_only=True), "2020-370781", catalogue)


def test_rankings_gap_and_previous_year(county, catalogue):
    assert county.previous_round == "2019-370781"
    r = county.results
    assert (r.groupby("category")["rank_in_category"].min() == 1).all()
    assert county.units["rank"].iloc[0] == 1 and county.units["unit_name"].str.startswith("青州市").all()
    g = county.gap
    assert (g["inflated"] == (g["gap"] > INFLATION_THRESHOLD)).all()
    assert g["inflated"].iloc[0] or not g["inflated"].any()  # inflated first
    assert (county.indicator_gap["gap_points"] > 0).all()
    p = county.previous.set_index("category")
    both = p.dropna(subset=["prev_pct"])
    assert len(both) and ((both["mean_pct"] - both["prev_pct"]).round(2) == both["change"]).all()
    assert set(p.index) <= set(catalogue.categories)
    u = county.previous_units
    assert ((u["completion_pct"] - u["prev_pct"]).round(2) == u["change"]).all()


def test_category_summary_counts_the_lowest_band(catalogue):
    results = pd.DataFrame({
        "matter_id": ["a", "b", "c", "d"], "category": ["establish"] * 3 + ["change"],
        "status": ["complete", "complete", "incomplete", "complete"],
        "completion_pct": [50.0, 90.0, None, 70.0], "band": ["差", "优", None, "中"],
    })
    s = A.category_summary(results, catalogue).set_index("category")
    assert s.at["establish", "matters"] == 3 and s.at["establish", "complete_matters"] == 2
    assert s.at["establish", "mean_pct"] == 70.0 and s.at["establish", "poor_share"] == 0.5
    assert s.at["change", "poor_share"] == 0.0


def test_year_comparison_chart_is_a_function_of_data(county, catalogue):
    series = A.year_series(county.previous, "2020-370781", "2019-370781", catalogue, "en")
    spec = year_comparison_chart(series, "en").to_dict()
    assert spec["layer"][0]["encoding"]["xOffset"]["field"] == "round"
    assert set(series["round"]) == {"2019-370781", "2020-370781"}
    assert "establishment" in set(series["category_name"])


@pytest.mark.parametrize("lang, words", [("zh", ["评定结果", "与上年比较", "完成情况百分比"]),
                                         ("en", ["Results", "Against last year", "Completion %"])])
def test_assessment_view_in_both_languages(demo_archive, catalogue, lang, words):
    view = AssessmentView(demo_archive, "2020-370781", lang=lang, catalogue=catalogue)
    titles = [view.tabs.get_title(i) for i in range(len(view.panes))]
    assert words[0] in titles and words[1] in titles
    assert words[2] in view.panes["results"].value
    assert view.panes["charts"].value.count("<svg") == 3
    assert "<script" not in "".join(p.value for p in view.panes.values())
    assert "2019-370781" in view.panes["previous"].value
    runs = len(demo_archive.scoring_runs("2020-370781"))
    assert runs == len(demo_archive.scoring_runs("2020-370781"))  # looking writes nothing
    view.score_button.click()  # the demo's round is sealed: a new version only as an amendment
    assert ("已封存" if lang == "zh" else "was sealed on") in view.message.value
    assert len(demo_archive.scoring_runs("2020-370781")) == runs
    with demo_archive.engine.begin() as conn:  # the same round before its feedback day
        conn.execute(seals.delete().where(seals.c.round_id == "2020-370781"))
    view.score_button.click()
    assert len(demo_archive.scoring_runs("2020-370781")) == runs + 2  # verified and self
    # the version is counted within the round (issue 12, defect 6), not across the whole archive
    run_id = int(demo_archive.latest_run("2020-370781")["run_id"])
    version = demo_archive.run_version(run_id)
    assert version <= runs + 2 < run_id
    assert (f"第 {version} 版" if lang == "zh" else f"version {version} of the round") in view.message.value
    assert f"第 {run_id} 版" not in view.message.value and f"version {run_id}" not in view.message.value


def test_first_round_of_an_area_has_nothing_to_compare(demo_archive, catalogue):
    view = AssessmentView(demo_archive, "2018-city", lang="en", catalogue=catalogue)
    assert "no previous-year round" in view.panes["previous"].value


def test_html_table_escapes_and_flags_rows():
    df = pd.DataFrame({"unit": ["<b>x</b>", "y"], "pct": [85.456, float("nan")], "flag": [True, False]})
    out = html_table(df, highlight=df["flag"])
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "85.46" in out and "—" in out
    assert out.count('class="wt-flag"') == 1


def test_evidence_is_stored_once_by_sha256(demo_archive, tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_EVIDENCE_DIR", raising=False)
    m = demo_archive.round_matters("2021-city")["matter_id"]
    scan = b"%PDF-1.7 \xe4\xb8\x89\xe5\xae\x9a"
    h1 = evidence.add_evidence(demo_archive, "2021-city", m[0], "X-01", "三定规定.pdf", scan, "王建华")
    h2 = evidence.add_evidence(demo_archive, "2021-city", m[1], "X-02", "copy.pdf", scan, "李晓梅")
    evidence.add_evidence(demo_archive, "2021-city", m[0], "X-01", "again.pdf", scan, "王建华")
    assert h1 == h2
    folder = evidence.evidence_dir(demo_archive)
    assert folder == tmp_path / "evidence"  # beside the archive file
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [h1]
    listed = evidence.list_evidence(demo_archive, "2021-city")
    assert list(listed["filename"]) == ["三定规定.pdf", "copy.pdf"]
    assert list(listed["added_by"]) == ["王建华", "李晓梅"]
    assert evidence.read_evidence(demo_archive, h1) == scan
    with pytest.raises(WorkbenchError, match="empty"):
        evidence.add_evidence(demo_archive, "2021-city", m[0], "X-01", "blank.jpg", b"", lang="en")
    monkeypatch.setenv("WORKBENCH_EVIDENCE_DIR", str(tmp_path / "shared"))
    assert evidence.evidence_dir(demo_archive) == tmp_path / "shared"
