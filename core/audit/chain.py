"""Checking the audit hash chain: every row's hash, its link to the row before, and both ends of the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

GENESIS_HASH = "0" * 64
BATCH_SIZE = 5000


@dataclass(frozen=True)
class ChainBreak:
    """The first row at which the chain does not hold, and why."""

    event_id: int | None
    occurred_at: datetime | None
    action: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found: rows checked, the anchor it started from, and the first break if any."""

    checked: int
    anchor_seq: int
    head_seq: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _mark(cursor: CursorWrapper, kind: str) -> tuple[int, str]:
    cursor.execute("SELECT seq, hash FROM core_auditchainmark WHERE kind = %s", [kind])
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def audit_chain_verify(*, batch_size: int = BATCH_SIZE) -> ChainReport:
    """Walk the chain from the anchor to the head in one snapshot, recomputing each row's hash in the database."""
    starts_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if starts_transaction:  # inside a caller's transaction, its snapshot rules apply
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        anchor_seq, expected_prev = _mark(cursor, "anchor")
        head_seq, head_hash = _mark(cursor, "head")
        expected_seq, checked = anchor_seq + 1, 0
        last: tuple[int, datetime, str] | None = None
        at_head: tuple[int, datetime, str, str] | None = None
        while True:
            cursor.execute(
                # Hash only the batch's rows, after the limit, whatever plan finds them.
                "SELECT e.id, e.occurred_at, e.action, e.chain_seq, e.prev_hash, e.row_hash, "
                "core_auditevent_hash(e) FROM (SELECT * FROM core_auditevent WHERE chain_seq >= %s "
                "ORDER BY chain_seq LIMIT %s) e ORDER BY e.chain_seq",
                [expected_seq, batch_size],
            )
            rows = cursor.fetchall()
            for event_id, occurred_at, action, seq, prev_hash, row_hash, recomputed in rows:
                reason = ""
                if seq != expected_seq:
                    reason = f"链序号应为 {expected_seq}，实为 {seq}（其前的记录缺失）"
                elif prev_hash != expected_prev:
                    reason = "前一条哈希与上一条记录不符（其前的记录被改动、删除或插入）"
                elif row_hash != recomputed:
                    reason = "本条内容与其哈希不符（本条记录被改动）"
                if reason:
                    return ChainReport(
                        checked, anchor_seq, head_seq, ChainBreak(event_id, occurred_at, action, reason)
                    )
                checked += 1
                expected_seq, expected_prev = seq + 1, row_hash
                last = (event_id, occurred_at, action)
                if seq == head_seq:
                    at_head = (event_id, occurred_at, action, row_hash)
            if len(rows) < batch_size:
                break
        # Every committed transaction moved the head mark to its last row, so the chain must reach it with that hash.
        if head_seq > anchor_seq and at_head is None:
            event_id, occurred_at, action = last if last else (None, None, "")
            reason = f"链尾应至少到第 {head_seq} 条，实际止于第 {expected_seq - 1} 条（其后的记录缺失）"
            return ChainReport(
                checked, anchor_seq, head_seq, ChainBreak(event_id, occurred_at, action, reason)
            )
        if at_head is not None and at_head[3] != head_hash:
            reason = f"第 {head_seq} 条记录的哈希与链尾标记不符（该记录被改写）"
            return ChainReport(checked, anchor_seq, head_seq, ChainBreak(*at_head[:3], reason))
        return ChainReport(checked, anchor_seq, head_seq, None)
