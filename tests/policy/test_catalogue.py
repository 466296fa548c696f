"""The catalogue holds every measure of both texts, word for word, with its units and dates."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.policy.catalogue import load_catalogue, read_catalogue
from avbase.policy.models import Measure, PolicyDocument
from avbase.policy.sources import appears_in, document_text


def test_every_source_sentence_is_word_for_word_in_its_document() -> None:
    measures = read_catalogue()["measure"]
    assert len({m["id"] for m in measures}) == len(measures)
    missing = [m["id"] for m in measures if not appears_in(m["document"], m["source"])]
    assert missing == []


def test_every_hunan_sentence_that_promises_money_or_a_list_is_a_measure() -> None:
    sources = " ".join(m["source"] for m in read_catalogue()["measure"] if m["document"] == "hn2023")
    text = document_text("hn2023")
    body = text[text.index("一、加快") : text.index("以上政策措施")]
    promises = [
        s
        for s in re.split(r"(?<=。)", body)
        if re.search(r"獎勵|補助|萬元|清單|目錄|采購|推薦", s) and "責任單位" not in s
    ]
    assert promises and all(
        re.sub(r"^\s*[一二三四五六七八九十]+、[^。]+。", "", s).strip() in sources for s in promises
    )


def test_loading_is_idempotent_and_keeps_units_and_dates(db: Session) -> None:
    added = load_catalogue(db)
    assert added == len(read_catalogue()["measure"]) and load_catalogue(db) == 0
    hunan = db.get(PolicyDocument, "hn2023")
    assert hunan is not None and (str(hunan.in_force_from), str(hunan.in_force_until)) == (
        "2023-12-27",
        "2028-12-26",
    )
    zhejiang = db.get(PolicyDocument, "zj2024")
    assert (
        zhejiang is not None
        and str(zhejiang.in_force_from) == "2024-08-01"
        and zhejiang.in_force_until is None
    )
    rnd = db.get(Measure, "hn2023.4.rnd-center")
    assert rnd is not None and rnd.lead_unit == "省工业和信息化厅"  # 排第一的为牵头单位
    assert rnd.units[-1] == "各市州人民政府"
    platforms = db.get(Measure, "hn2023.1.innovation-platforms")
    assert platforms is not None and platforms.units[0] == "省科技厅"
    counts = dict(
        db.execute(select(Measure.document_code, func.count()).group_by(Measure.document_code)).all()
    )
    assert counts["hn2023"] >= 25 and counts["zj2024"] >= 25
