"""A drop-down is made as wide as its label and its longest choice, and follows its choices."""

from __future__ import annotations

import re

import ipywidgets as W

from workbench.forms import fit_choices


def ems(dropdown: W.Dropdown) -> float:
    return float(re.fullmatch(r"calc\(([\d.]+)em \+ \d+px\)", dropdown.layout.width).group(1))


def test_a_drop_down_is_as_wide_as_its_longest_choice_and_follows_them():
    short = W.Dropdown(options=[("潍城区", "370702")], description="地区")
    long = W.Dropdown(options=[("潍城区", "370702"), ("潍坊市(市级)", "city")], description="地区")
    fit_choices(short, long)
    assert ems(long) - ems(short) > 3  # two more wide characters and two parentheses
    english = W.Dropdown(options=[("Weifang (city level)", "city")], description="Area")
    fit_choices(english)
    assert ems(english) > len("Weifang (city level)Area") * 0.55  # generous: never the text against the arrow
    short.options = [*short.options, ("潍坊市(市级)", "city")]
    assert ems(short) == ems(long)
