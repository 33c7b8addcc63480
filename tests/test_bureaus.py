"""The bureaus the migrations seed, on SQLite and PostgreSQL, agree with routing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from complaints.models import Bureau
from complaints.routing import route


def bureaus(url: str) -> dict[str, Bureau]:
    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            return {b.code: b for b in session.scalars(sa.select(Bureau))}
    finally:
        engine.dispose()


def test_seeded_bureaus(database_url: str) -> None:
    seeded = bureaus(database_url)
    prefectures = {code for code, b in seeded.items() if b.prefecture}
    assert len(prefectures) == 10  # nine cities and 平潭综合实验区
    assert "350128" in prefectures and seeded["350128"].parent_code is None
    assert len(seeded) == 92  # 84 county-level divisions less 金门 and 平潭 (prefecture-level)
    assert "350527" not in seeded  # 金门: no mainland bureau
    assert seeded["350102"].name == "福州市鼓楼区市场监督管理局"
    assert seeded["350102"].parent_code == "350100"
    assert seeded["350181"].name == "福清市市场监督管理局"
    assert all(b.parent_code in prefectures for b in seeded.values() if not b.prefecture)


def test_every_routed_bureau_exists(sqlite_url: str) -> None:
    seeded = {b.name for b in bureaus(sqlite_url).values()}
    for text in ["福州鼓楼区的超市", "厦门思明区一家店", "平潭一家海鲜排档", "泉州的商场",
                 "福清一家药店", "宁德蕉城区一家餐馆"]:
        result = route(text)
        assert result.bureau in seeded, (text, result)
