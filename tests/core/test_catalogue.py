"""The catalogue: 4 categories, 8/8/9/5 = 30 indicators, weights summing to 100, validation."""

from __future__ import annotations

import copy

import pytest
import yaml

from workbench.core.catalogue import build_catalogue, validate_weights
from workbench.errors import CatalogueError
from workbench.files.parameters import load_catalogue, load_weights
from workbench.paths import DEFAULT_CATALOGUE


@pytest.fixture
def raw():
    return yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def test_source_structure(catalogue):
    counts = catalogue.indicators.groupby("category").size().to_dict()
    assert counts == {"establish": 8, "change": 8, "merge": 9, "abolish": 5}
    assert len(catalogue.indicators) == 30
    assert catalogue.weights.groupby(catalogue.indicators["category"]).sum().eq(100).all()
    # the indicators the source names
    names = set(catalogue.indicators["name_zh"])
    assert {"人员配备及到位情况", "职责划转移交到位", "内部机构调整设置情况", "领导干部及工作人员分流安置情况"} <= names


def test_every_indicator_has_both_names_and_ratings(catalogue):
    ind = catalogue.indicators
    assert ind["name_zh"].str.len().gt(0).all() and ind["name_en"].str.len().gt(0).all()
    assert not ind["name_en"].str.contains("None").any()
    for col in ("importance", "difficulty", "workload"):
        assert ind[col].between(1, 5).all()


def test_over_limit_flags(catalogue):
    flagged = set(catalogue.indicators.index[catalogue.indicators["over_limit_zero"]])
    assert flagged == {"EST-04", "EST-05", "EST-07"}


def test_hash_ignores_comments_but_not_content(raw, catalogue):
    assert build_catalogue(copy.deepcopy(raw)).hash == catalogue.hash
    changed = copy.deepcopy(raw)
    changed["categories"]["establish"]["indicators"][0]["evidence"] += "。"
    assert build_catalogue(changed).hash != catalogue.hash


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r["categories"]["establish"]["indicators"][0].update(weight=16), "establish: 权重合计 101"),
        (lambda r: r["categories"]["change"]["indicators"][1].update(weight=9.5), "CHG-02: 权重须为非负整数"),
        (lambda r: r["categories"]["merge"]["indicators"][2].update(kind="stars"), "MRG-03: 未知指标类型"),
        (lambda r: r["categories"]["abolish"]["indicators"][0].update(id="ABL-02"), "ABL-02: 指标编号重复"),
        (lambda r: r["categories"]["abolish"]["indicators"][4].update(importance=7), "ABL-05: importance"),
        (lambda r: r["categories"]["abolish"]["indicators"][4].update(colour="red"), "ABL-05: 未知字段"),
        (lambda r: r["categories"].pop("merge"), "缺少类别"),
    ],
)
def test_invalid_catalogue_names_the_indicator(raw, mutate, message):
    mutate(raw)
    with pytest.raises(CatalogueError, match=message):
        build_catalogue(raw)


def test_weights_scenario_roundtrip(tmp_path, catalogue):
    w = catalogue.weights.copy()
    w["EST-01"], w["EST-02"] = 20, 5
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "weights": {k: int(v) for k, v in w.items()}}), encoding="utf-8")
    assert load_weights(path, catalogue).equals(w.astype(int))


@pytest.mark.parametrize(
    "change, message",
    [
        ({"EST-01": 16}, "establish: 权重合计 101"),
        ({"XYZ-01": 3}, "XYZ-01: 未知指标"),
        ({"EST-01": 14.5, "EST-02": 10.5}, "EST-01: 权重须为非负整数"),
        ({"EST-01": -5, "EST-02": 30}, "EST-01: 权重须为非负整数"),
    ],
)
def test_bad_weights_are_rejected(catalogue, change, message):
    w = catalogue.weights.astype(object).to_dict()
    w.update(change)
    import pandas as pd

    with pytest.raises(CatalogueError, match=message):
        validate_weights(pd.Series(w, dtype=object), catalogue)


def test_missing_weight_is_named(catalogue):
    w = catalogue.weights.drop("ABL-05")
    with pytest.raises(CatalogueError, match="ABL-05: 缺少权重"):
        validate_weights(w, catalogue)


def test_unreadable_files(tmp_path, catalogue):
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="不是有效的 YAML"):
        load_weights(bad, catalogue)
    with pytest.raises(CatalogueError, match="不存在"):
        load_catalogue(tmp_path / "nope.yaml")
