"""Weifang (潍坊市): the city and its 12 county-level areas, by administrative division code."""

CITY = "city"
CITY_NAME = "潍坊市"
CITY_NAME_EN = "Weifang"

COUNTIES: dict[str, str] = {
    "370702": "潍城区",
    "370703": "寒亭区",
    "370704": "坊子区",
    "370705": "奎文区",
    "370724": "临朐县",
    "370725": "昌乐县",
    "370781": "青州市",
    "370782": "诸城市",
    "370783": "寿光市",
    "370784": "安丘市",
    "370785": "高密市",
    "370786": "昌邑市",
}

COUNTIES_EN: dict[str, str] = {
    "370702": "Weicheng", "370703": "Hanting", "370704": "Fangzi", "370705": "Kuiwen",
    "370724": "Linqu", "370725": "Changle", "370781": "Qingzhou", "370782": "Zhucheng",
    "370783": "Shouguang", "370784": "Anqiu", "370785": "Gaomi", "370786": "Changyi",
}

AREAS = (CITY, *COUNTIES)


def area_name(area: str, lang: str = "zh") -> str:
    if area == CITY:
        return CITY_NAME + "(市级)" if lang != "en" else f"{CITY_NAME_EN} (city level)"
    return (COUNTIES_EN if lang == "en" else COUNTIES).get(area, area)
