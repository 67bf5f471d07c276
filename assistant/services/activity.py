"""员工销售行为日统计: each person's count of customers identified, products recommended and referrals made today,
logged by a form or by telling the bot ("今天识别了5个客户,推荐了3个"); the coach reads the branch's table."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from assistant.db import DailyActivity, Database, User, utcnow
from assistant.errors import InputError
from assistant.services.coaching import local_today
from assistant.text import NUMERAL, chinese_number

FIELDS = {"identified": "识别客户", "recommended": "推荐产品", "referred": "转介客户"}
MAX_COUNT = 500
# The verb that names each count; the number follows it, with optional 了/个/位 around.
_VERBS = {"identified": "识别|发现|接待", "recommended": "推荐|营销|介绍", "referred": "转介|转荐|转给|推给|引荐"}


def parse_counts(text: str) -> dict[str, int]:
    """The counts a sentence names; fields it does not mention are left out (so they are not reset)."""
    found = {}
    for field, verbs in _VERBS.items():
        match = re.search(rf"(?:{verbs})了?\s*{NUMERAL}", text)
        if match:
            found[field] = chinese_number(match.group(1))
    return found


def _check(counts: dict[str, object]) -> dict[str, int]:
    clean = {}
    for field, value in counts.items():
        if field not in FIELDS:
            raise InputError(f"unknown field {field}", "只能记录识别客户、推荐产品和转介客户三项。", "bad_field")
        try:
            number = int(str(value).strip() or "0")
        except ValueError:
            number = -1
        if not 0 <= number <= MAX_COUNT:
            raise InputError(
                f"bad count {field}={value!r}", f"{FIELDS[field]}的数量应为 0 到 {MAX_COUNT} 之间的整数。", "bad_count"
            )
        clean[field] = number
    return clean


def record(user_id: int, counts: dict[str, object], day: date | None = None) -> dict:
    """Set the named counts for the day (the latest figure wins: staff correct themselves, they do not add up)."""
    clean = _check(counts)
    if not clean:
        raise InputError(
            "no counts", "没有听出要记录的数字。可以这样说:今天识别了5个客户,推荐了3个,转介了1个。", "no_counts"
        )
    day = day or local_today()
    with Database.get().session() as session:
        row = session.scalars(
            select(DailyActivity).where(DailyActivity.user_id == user_id, DailyActivity.day == day)
        ).first()
        if row is None:
            row = DailyActivity(user_id=user_id, day=day, identified=0, recommended=0, referred=0)
            session.add(row)
        for field, number in clean.items():
            setattr(row, field, number)
        row.updated_at = utcnow()
        session.flush()
        return {"day": day.isoformat(), **{f: getattr(row, f) for f in FIELDS}}


def record_from_text(user_id: int, text: str) -> dict:
    return record(user_id, parse_counts(text))


def describe(counts: dict) -> str:
    return ",".join(f"{FIELDS[f]} {counts[f]}" for f in FIELDS)


def my_days(user_id: int, limit: int = 14) -> list[dict]:
    with Database.get().session() as session:
        rows = session.scalars(
            select(DailyActivity)
            .where(DailyActivity.user_id == user_id)
            .order_by(DailyActivity.day.desc())
            .limit(limit)
        )
        return [{"day": r.day.isoformat(), **{f: getattr(r, f) for f in FIELDS}} for r in rows]


def branch_table(branch_id: int, day: date | None = None) -> dict:
    """Every active staff member of the branch for the day, zero where nothing was logged, with the totals."""
    day = day or local_today()
    with Database.get().session() as session:
        people = list(
            session.scalars(
                select(User)
                .where(User.branch_id == branch_id, User.active.is_(True), User.role == "staff")
                .order_by(User.id)
            )
        )
        logged = {
            r.user_id: r
            for r in session.scalars(
                select(DailyActivity).where(DailyActivity.day == day, DailyActivity.user_id.in_([p.id for p in people]))
            )
        }
    rows = []
    for person in people:
        row = logged.get(person.id)
        rows.append(
            {
                "name": person.display_name,
                "logged": row is not None,
                **{f: getattr(row, f) if row else 0 for f in FIELDS},
            }
        )
    totals = {f: sum(r[f] for r in rows) for f in FIELDS}
    return {"day": day.isoformat(), "rows": rows, "totals": totals}
